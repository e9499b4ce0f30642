// Workers KV on the API: request shapes and answers (pure). The values themselves go through
// libs/kv-store, the same code the bindings gateway uses.
import { createHash, randomBytes } from "node:crypto";
import {
  KV_CODES,
  KvError,
  MAX_BULK_GET_KEYS,
  MAX_BULK_KEYS,
  MAX_VALUE_BYTES,
  resolveExpiration,
  validateKey,
  validateMetadata,
  type WriteOptions,
} from "@fireworkers/kv-store";
import type { WorkerKVNamespace } from "@fireworkers/crd-types";

export const newNamespaceId = (): string => randomBytes(16).toString("hex");

/** Label value standing for a title (titles are free text; labels are not), to find duplicates by selector. */
export const titleLabel = (title: string): string => createHash("sha256").update(title, "utf8").digest("hex").slice(0, 40);
export const KV_TITLE_LABEL = "api.cf-worker/kv-title";

export function checkTitle(title: unknown): string {
  if (typeof title !== "string" || title.trim() === "") throw new KvError(400, KV_CODES.missingTitle, "title: missing title");
  if (Buffer.byteLength(title) > 512) throw new KvError(400, KV_CODES.missingTitle, "title: longer than 512 bytes");
  return title;
}

export function checkNamespaceId(id: string): string {
  if (!/^[0-9a-f]{32}$/.test(id)) throw new KvError(400, KV_CODES.malformedNamespaceId, `namespace_id: ${JSON.stringify(id.slice(0, 64))} is not a 32-hex namespace id`);
  return id;
}

export const namespaceNotFound = () => new KvError(404, KV_CODES.namespaceNotFound, "namespace_id: namespace not found");
export const keyNotFound = () => new KvError(404, KV_CODES.keyNotFound, "get: 'key not found'");
export const titleExists = (title: string) => new KvError(400, KV_CODES.namespaceTitleExists, `a namespace with this account ID and title already exists: ${JSON.stringify(title)}`);

export interface NamespaceView {
  id: string;
  title: string;
  supports_url_encoding: true;
}

export const namespaceView = (o: WorkerKVNamespace): NamespaceView => ({ id: o.metadata.name, title: o.spec.title, supports_url_encoding: true });

/**
 * One page of namespaces, as Cloudflare pages them: `order` id|title (default id), `direction` asc|desc,
 * `page` from 1, `per_page` 5..1000 (default 20). A page past the end is empty (the SDK pages until then).
 */
export function pageNamespaces(all: NamespaceView[], query: { page?: number; per_page?: number; order?: string; direction?: string }) {
  const order = query.order === "title" ? "title" : "id";
  const sign = query.direction === "desc" ? -1 : 1;
  const sorted = [...all].sort((a, b) => sign * (a[order] < b[order] ? -1 : a[order] > b[order] ? 1 : a.id < b.id ? -1 : 1));
  const perPage = Math.min(Math.max(query.per_page ?? 20, 1), 1000);
  const page = Math.max(query.page ?? 1, 1);
  const items = sorted.slice((page - 1) * perPage, page * perPage);
  return { items, resultInfo: { page, per_page: perPage, count: items.length, total_count: all.length, total_pages: Math.max(1, Math.ceil(all.length / perPage)) } };
}

export interface BulkWriteEntry {
  key: string;
  value: Buffer;
  options: WriteOptions;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * A bulk write body: up to 10,000 `{key, value, expiration?, expiration_ttl?, metadata?, base64?}`.
 * Every entry is checked before anything is written; the first bad one names its index and field.
 */
export function parseBulkWrite(body: unknown, nowMs: number): BulkWriteEntry[] {
  if (!Array.isArray(body)) throw new KvError(400, KV_CODES.malformedValue, "body: expected an array of key-value pairs");
  if (body.length > MAX_BULK_KEYS) throw new KvError(400, KV_CODES.tooManyKeys, `body: at most ${MAX_BULK_KEYS} key-value pairs per request, not ${body.length}`);
  return body.map((item, i) => {
    const at = `[${i}]`;
    if (!isObject(item)) throw new KvError(400, KV_CODES.malformedValue, `${at}: expected an object with key and value`);
    if (typeof item.key !== "string") throw new KvError(400, KV_CODES.invalidKey, `${at}.key: missing or not a string`);
    const key = validateKey(item.key, `${at}.key`);
    if (typeof item.value !== "string") throw new KvError(400, KV_CODES.malformedValue, `${at}.value: missing or not a string`);
    let value: Buffer;
    if (item.base64 === true) {
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(item.value)) throw new KvError(400, KV_CODES.malformedValue, `${at}.value: not valid base64`);
      value = Buffer.from(item.value, "base64");
    } else value = Buffer.from(item.value, "utf8");
    if (value.length > MAX_VALUE_BYTES) throw new KvError(413, KV_CODES.payloadTooLarge, `${at}.value: ${value.length} bytes exceeds the limit of ${MAX_VALUE_BYTES} bytes (25 MiB)`);
    const options: WriteOptions = {};
    const expiration = prefixed(at, () =>
      resolveExpiration({ expiration: item.expiration as number | undefined, expirationTtl: item.expiration_ttl as number | undefined }, nowMs),
    );
    if (expiration !== undefined) options.expiration = expiration;
    if (item.metadata !== undefined && item.metadata !== null) options.metadata = prefixed(at, () => validateMetadata(JSON.stringify(item.metadata)));
    return { key, value, options };
  });
}

function prefixed<T>(at: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof KvError) throw new KvError(err.status, err.code, `${at}.${err.message}`);
    throw err;
  }
}

/** A bulk delete body: up to 10,000 key names (strings). */
export function parseKeyNames(body: unknown, max = MAX_BULK_KEYS, field = "body"): string[] {
  if (!Array.isArray(body)) throw new KvError(400, KV_CODES.malformedValue, `${field}: expected an array of key names`);
  if (body.length > max) throw new KvError(400, KV_CODES.tooManyKeys, `${field}: at most ${max} keys per request, not ${body.length}`);
  return body.map((k, i) => {
    if (typeof k !== "string") throw new KvError(400, KV_CODES.invalidKey, `[${i}]: not a string`);
    return validateKey(k, `[${i}]`);
  });
}

/** A bulk get body: `{keys (1..100), type?: "text"|"json", withMetadata?}`. */
export function parseBulkGet(body: unknown): { keys: string[]; type: "text" | "json"; withMetadata: boolean } {
  if (!isObject(body)) throw new KvError(400, KV_CODES.malformedValue, "body: expected {keys}");
  const keys = parseKeyNames(body.keys, MAX_BULK_GET_KEYS, "keys");
  if (keys.length === 0) throw new KvError(400, KV_CODES.tooManyKeys, "keys: name at least one key");
  const type = body.type ?? "text";
  if (type !== "text" && type !== "json") throw new KvError(400, KV_CODES.malformedValue, `type: "${String(type)}" is not a valid type. Use "json" or "text"`);
  return { keys, type, withMetadata: body.withMetadata === true || body.with_metadata === true };
}
