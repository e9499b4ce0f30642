// Field schemas that several kinds embed: a script's modules, bindings and the version split.
import { DnsLabel, Sha256Hex, StringEnum, Type, Uuid, type Static } from "../schema.ts";

export const MODULE_TYPES = ["esm", "commonjs", "wasm", "text", "data", "sourcemap"] as const;
export type ModuleType = (typeof MODULE_TYPES)[number];

export const Module = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 256, description: "Module path as the worker imports it." }),
  type: StringEnum(MODULE_TYPES),
  sha256: Sha256Hex,
  size: Type.Integer({ minimum: 0, format: "int64", description: "Size in bytes." }),
});
export type Module = Static<typeof Module>;

export const BINDING_TYPES = [
  "plain_text",
  "json",
  "secret_text",
  "wasm_module",
  "text_blob",
  "data_blob",
  "service",
  "kv_namespace",
  "inherit",
] as const;
export type BindingType = (typeof BINDING_TYPES)[number];

/** A binding as wrangler sends it in the upload metadata, secret values stripped. Settings specific to a
 * type (text, json, service, namespace_id, ...) are kept as sent. */
export const Binding = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 256 }),
    type: StringEnum(BINDING_TYPES),
  },
  { "x-kubernetes-preserve-unknown-fields": true },
);
export type Binding = { name: string; type: BindingType; [setting: string]: unknown };

export const S3Location = Type.Object({
  bucket: Type.String({ minLength: 3, maxLength: 63 }),
  prefix: Type.String({ minLength: 1, maxLength: 1024, description: "Key prefix of the version's objects, ending in '/'." }),
});
export type S3Location = Static<typeof S3Location>;

export const VersionShare = Type.Object({
  versionId: Uuid("A WorkerVersion of the same script."),
  percentage: Type.Number({ minimum: 0, maximum: 100 }),
});
export type VersionShare = Static<typeof VersionShare>;

/** One deployment's traffic split: one version at 100%, or two summing to 100. */
export const VersionSplit = Type.Array(VersionShare, {
  minItems: 1,
  maxItems: 2,
  "x-kubernetes-validations": [
    { rule: "self.map(v, v.percentage).sum() == 100.0", message: "percentages must sum to 100" },
    { rule: "self.size() < 2 || self[0].versionId != self[1].versionId", message: "versions must differ" },
  ],
});

export const ScriptName = DnsLabel("Script (Worker) name.");
export const AccountId = Type.String({ minLength: 1, maxLength: 63, pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", description: "Account id (the WorkerAccount's name)." });
