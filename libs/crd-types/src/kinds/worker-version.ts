import { baseStatus, type CustomObject, type KindDefinition } from "../common.ts";
import { immutable, StringMap, Type, Uuid, type Static } from "../schema.ts";
import { AccountId, Binding, Module, S3Location, ScriptName } from "./shared-fields.ts";

const spec = Type.Object(
  {
    accountId: AccountId,
    scriptName: ScriptName,
    versionId: Uuid("The version's id as wrangler sees it; also the object's name."),
    number: Type.Integer({ minimum: 1, description: "Per-script sequence number of the upload." }),
    storage: S3Location,
    mainModule: Type.String({ minLength: 1, maxLength: 256 }),
    modules: Type.Array(Module, { minItems: 1, maxItems: 1000 }),
    bindings: Type.Optional(Type.Array(Binding, { maxItems: 1000 })),
    compatibilityDate: Type.Optional(Type.String({ pattern: "^\\d{4}-\\d{2}-\\d{2}$" })),
    compatibilityFlags: Type.Optional(Type.Array(Type.String({ maxLength: 128 }), { maxItems: 128 })),
    annotations: Type.Optional(StringMap({ description: "Cloudflare version annotations: workers/message, workers/tag, workers/triggered_by." })),
    source: Type.Optional(Type.String({ maxLength: 64, description: "What made the upload (wrangler, api, ...)." })),
    authorEmail: Type.Optional(Type.String({ maxLength: 320 })),
  },
  {
    "x-kubernetes-validations": [
      ...immutable("spec")["x-kubernetes-validations"],
      // The operator deletes everything under this prefix with the version: it must be the version's own.
      {
        rule: "self.storage.prefix == 'accounts/' + self.accountId + '/scripts/' + self.scriptName + '/versions/' + self.versionId + '/'",
        message: "storage.prefix must be accounts/<accountId>/scripts/<scriptName>/versions/<versionId>/",
      },
    ],
  },
);

const status = Type.Object({ ...baseStatus });

export type WorkerVersionSpec = Static<typeof spec>;
export type WorkerVersionStatus = Static<typeof status>;
export type WorkerVersion = CustomObject<"WorkerVersion", WorkerVersionSpec, WorkerVersionStatus>;

export const workerVersion: KindDefinition<typeof spec, typeof status> = {
  kind: "WorkerVersion",
  plural: "workerversions",
  singular: "workerversion",
  shortNames: ["wv"],
  description: "One immutable upload of a script: its modules in S3 (with digests), bindings without secret values, and compatibility settings.",
  spec,
  status,
  rules: [{ rule: "self.metadata.name == self.spec.versionId", message: "metadata.name must be spec.versionId" }],
  columns: [
    { name: "Account", type: "string", jsonPath: ".spec.accountId" },
    { name: "Script", type: "string", jsonPath: ".spec.scriptName" },
    { name: "Number", type: "integer", jsonPath: ".spec.number" },
    { name: "Main", type: "string", jsonPath: ".spec.mainModule", priority: 1 },
  ],
};
