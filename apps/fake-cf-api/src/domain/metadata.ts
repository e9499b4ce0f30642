// The `metadata` part of a script upload (wrangler-api.md §4.1): its JSON schema (also published in
// /openapi.json) and the checks that a schema cannot express.
import { Ajv, type ErrorObject } from "ajv";
import { BINDING_TYPES } from "@fireworkers/crd-types";

export const RawBindingSchema = {
  type: "object",
  required: ["name", "type"],
  properties: {
    name: { type: "string", minLength: 1, maxLength: 256 },
    type: { type: "string", minLength: 1, maxLength: 64 },
    text: { type: "string" },
  },
  additionalProperties: true,
} as const;

export const UploadMetadataSchema = {
  $id: "UploadMetadata",
  type: "object",
  description: "The `metadata` part of a script or version upload.",
  properties: {
    main_module: { type: "string", minLength: 1, maxLength: 256 },
    body_part: { type: "string", description: "Service-worker format: not supported." },
    bindings: { type: "array", maxItems: 1000, items: RawBindingSchema },
    compatibility_date: { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}$" },
    compatibility_flags: { type: "array", maxItems: 128, items: { type: "string", maxLength: 128 } },
    keep_bindings: { type: "array", maxItems: 64, items: { type: "string", maxLength: 64 } },
    annotations: {
      type: "object",
      properties: {
        "workers/message": { type: "string", maxLength: 1000 },
        "workers/tag": { type: "string", maxLength: 256 },
        "workers/alias": { type: "string", maxLength: 256 },
      },
      additionalProperties: { type: "string", maxLength: 1000 },
    },
    logpush: { type: "boolean" },
    tail_consumers: { type: "array", items: { type: "object" } },
    observability: { type: "object" },
  },
  additionalProperties: true,
} as const;

export interface RawBinding {
  name: string;
  type: string;
  text?: string;
  [setting: string]: unknown;
}

export interface UploadMetadata {
  main_module: string;
  bindings: RawBinding[];
  compatibility_date?: string;
  compatibility_flags?: string[];
  keep_bindings: string[];
  annotations: Record<string, string>;
  logpush?: boolean;
}

const ajv = new Ajv({ allErrors: false, strict: false });
const validate = ajv.compile(UploadMetadataSchema);

const describe = (e: ErrorObject) => `metadata${e.instancePath.replaceAll("/", ".")} ${e.message ?? "is invalid"}`;

/** Parses and checks the metadata part; throws an Error whose message names the field. */
export function parseUploadMetadata(text: string): UploadMetadata {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error("metadata is not valid JSON");
  }
  if (!validate(json)) throw new Error(describe(validate.errors![0]!));
  const m = json as Record<string, unknown> & { bindings?: RawBinding[] };
  if (m.body_part !== undefined && m.main_module === undefined) {
    throw new Error("metadata.body_part: service-worker format is not supported, upload ES modules (metadata.main_module)");
  }
  if (typeof m.main_module !== "string") throw new Error("metadata.main_module is required");
  const bindings = m.bindings ?? [];
  const seen = new Set<string>();
  for (const [i, b] of bindings.entries()) {
    if (seen.has(b.name)) throw new Error(`metadata.bindings[${i}].name: duplicate binding name '${b.name}'`);
    seen.add(b.name);
    if (!(BINDING_TYPES as readonly string[]).includes(b.type)) {
      throw new Error(`metadata.bindings[${i}].type: binding '${b.name}' of type '${b.type}' is not supported (supported: ${BINDING_TYPES.join(", ")})`);
    }
  }
  return {
    main_module: m.main_module,
    bindings,
    compatibility_date: m.compatibility_date as string | undefined,
    compatibility_flags: m.compatibility_flags as string[] | undefined,
    keep_bindings: (m.keep_bindings as string[] | undefined) ?? [],
    annotations: (m.annotations as Record<string, string> | undefined) ?? {},
    logpush: m.logpush as boolean | undefined,
  };
}
