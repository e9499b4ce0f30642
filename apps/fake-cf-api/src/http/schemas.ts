// Schemas shared by the routes: path parameters, Cloudflare's envelope, and the objects returned. They are
// TypeBox schemas (plain JSON Schema at runtime): Fastify validates requests with them, the TypeBox type
// provider gives handlers their types (req.params, req.query, req.body), and @fastify/swagger publishes them
// at /openapi.json. Define a parameter once here; never write a route's types by hand.
import { Type, type Static, type TSchema } from "typebox";
import { SECRET_NAME } from "@fireworkers/crd-types";

const DNS_LABEL = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$";
const UUID = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";

/** `{ type: "string", enum }` (TypeBox's own literals would be `const`/`anyOf`, with other error messages). */
export const StringEnum = <const T extends readonly string[]>(values: T, options: Record<string, unknown> = {}) =>
  Type.Unsafe<T[number]>({ type: "string", enum: [...values], ...options });
/** A map of strings as `additionalProperties` (TypeBox's Record would be `patternProperties`). */
export const StringMap = (properties: Record<string, TSchema> = {}) =>
  Type.Unsafe<Record<string, string>>({ type: "object", properties, additionalProperties: { type: "string" } });
/** A map whose values all have one schema, as `additionalProperties` (typed from that schema). */
export const MapOf = <T extends TSchema>(value: T, options: Record<string, unknown> = {}) =>
  Type.Unsafe<Record<string, Static<T>>>({ type: "object", additionalProperties: value, ...options });

export const accountId = Type.String({ pattern: DNS_LABEL, description: "Account id (the WorkerAccount's name)." });
export const scriptName = Type.String({ pattern: DNS_LABEL, description: "Worker (script) name: lowercase letters, digits and '-', 1 to 63 characters." });
export const versionId = Type.String({ pattern: UUID });
export const secretName = Type.String({ pattern: SECRET_NAME.source, description: "Letters, digits and '_', not starting with a digit; at most 128." });

export const accountParams = Type.Object({ accountId });
export const scriptParams = Type.Object({ accountId, scriptName });
export const versionParams = Type.Object({ accountId, scriptName, versionId });
export const secretParams = Type.Object({ accountId, scriptName, secretName });
export const zoneParams = Type.Object({ zoneId: Type.String({ pattern: "^[0-9a-f]{32}$" }) });

/** ?force=true (delete, deployments). */
export const forceQuery = Type.Object({ force: Type.Optional(Type.Boolean()) });
/** Page-number pagination as wrangler sends it. */
export const pageQuery = Type.Object({
  page: Type.Optional(Type.Integer({ minimum: 1, default: 1 })),
  per_page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 20 })),
});

// Response schemas: documentation and serialization only (handlers build them with domain/wire.ts), so
// plain JSON Schema.

const errorItem = { type: "object", properties: { code: { type: "integer" }, message: { type: "string" } } } as const;

export const resultInfo = {
  type: "object",
  properties: {
    page: { type: "integer" },
    per_page: { type: "integer" },
    count: { type: "integer" },
    total_count: { type: "integer" },
    total_pages: { type: "integer" },
    cursor: { type: "string" },
  },
} as const;

export const errorEnvelope = {
  type: "object",
  description: "Cloudflare's envelope with success false.",
  properties: {
    success: { type: "boolean" },
    errors: { type: "array", items: errorItem },
    messages: { type: "array", items: {} },
    result: { type: "null" },
  },
} as const;

/** The response schemas of a route answering `result` in Cloudflare's envelope. */
export function answers(result: object, description?: string) {
  return {
    200: {
      type: "object",
      ...(description ? { description } : {}),
      properties: {
        success: { type: "boolean" },
        errors: { type: "array", items: errorItem },
        messages: { type: "array", items: {} },
        result,
        result_info: resultInfo,
      },
    },
    "4xx": errorEnvelope,
    "5xx": errorEnvelope,
  };
}

const open = (properties: Record<string, object>, description?: string) => ({
  type: "object",
  ...(description ? { description } : {}),
  properties,
  additionalProperties: true,
});
const str = { type: "string" } as const;
const bool = { type: "boolean" } as const;
const strMap = { type: "object", additionalProperties: { type: "string" } } as const;

export const openObject = { type: "object", additionalProperties: true } as const;
export const openList = { type: "array", items: openObject } as const;

export const binding = open({ name: str, type: str }, "A binding; secret bindings carry no value.");

export const versionObject = open({
  id: str,
  number: { type: "integer" },
  metadata: open({ author_id: str, author_email: str, source: str, created_on: str, modified_on: str, has_preview: bool }),
  annotations: strMap,
  resources: open({
    script: open({ etag: str, handlers: { type: "array", items: str }, last_deployed_from: str }),
    script_runtime: open({ compatibility_date: str, compatibility_flags: { type: "array", items: str }, usage_model: str }),
    bindings: { type: "array", items: binding },
  }),
  startup_time_ms: { type: "integer" },
});

export const deploymentObject = open({
  id: str,
  source: str,
  strategy: str,
  author_email: str,
  created_on: str,
  annotations: strMap,
  versions: { type: "array", items: open({ version_id: str, percentage: { type: "number" } }) },
});

export const secretObject = open({ name: str, type: str });
export const subdomainObject = open({ enabled: bool, previews_enabled: bool });
export const anyResult = { description: "Any JSON value." };
