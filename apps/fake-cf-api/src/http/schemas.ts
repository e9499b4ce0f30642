// JSON schemas shared by the routes: path parameters, Cloudflare's envelope, and the objects returned.
// Fastify validates requests with them and @fastify/swagger publishes them at /openapi.json.

const DNS_LABEL = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$";
const UUID = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";

export const accountId = { type: "string", pattern: DNS_LABEL, description: "Account id (the WorkerAccount's name)." } as const;
export const scriptName = {
  type: "string",
  pattern: DNS_LABEL,
  description: "Worker (script) name: lowercase letters, digits and '-', 1 to 63 characters.",
} as const;
export const versionId = { type: "string", pattern: UUID } as const;

export const accountParams = { type: "object", required: ["accountId"], properties: { accountId } } as const;
export const scriptParams = { type: "object", required: ["accountId", "scriptName"], properties: { accountId, scriptName } } as const;

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
