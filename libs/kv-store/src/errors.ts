// Cloudflare's Workers KV error codes, in one place, so the API's envelope and the gateway's status
// codes say the same thing. 10009-10028 are the codes Cloudflare publishes for KV; the ones for the
// limits below that list (10033 expiration, 10034 key, 10035 metadata, 10036 cursor) follow the same
// numbering and every message names the field, as Cloudflare's do.

export const KV_CODES = {
  keyNotFound: 10009,
  malformedNamespaceId: 10011,
  malformedValue: 10012,
  namespaceNotFound: 10013,
  namespaceTitleExists: 10014,
  missingTitle: 10019,
  payloadTooLarge: 10024,
  invalidLimit: 10028,
  invalidExpiration: 10033,
  invalidKey: 10034,
  invalidMetadata: 10035,
  invalidCursor: 10036,
  invalidCacheTtl: 10037,
  tooManyKeys: 10038,
} as const;

/** A refused KV request: the HTTP status, Cloudflare's code and a message naming the field. */
export class KvError extends Error {
  readonly status: number;
  readonly code: number;
  constructor(status: number, code: number, message: string) {
    super(message);
    this.name = "KvError";
    this.status = status;
    this.code = code;
  }
}

export const isKvError = (err: unknown): err is KvError => err instanceof KvError;
