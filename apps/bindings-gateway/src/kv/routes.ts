// workerd's native KV protocol (src/workerd/api/kv.c++), one namespace per URL prefix:
//   GET    /kv/<ns>/<key>?urlencoded=true[&cache_ttl=N]      value; CF-KV-Metadata, CF-Expiration headers; 404 = null
//   PUT    /kv/<ns>/<key>?urlencoded=true[&expiration=&expiration_ttl=]   raw body; CF-KV-Metadata request header
//   DELETE /kv/<ns>/<key>?urlencoded=true
//   GET    /kv/<ns>/?key_count_limit=&prefix=&cursor=        {keys:[{name,expiration?,metadata?}], list_complete, cursor?}
//   POST   /kv/<ns>/bulk/get  {keys, type?, withMetadata?, cacheTtl?}   {key: value | {value, metadata} | null}
// The bundle's platform worker forwards its bindings' calls here with the account's credential; every
// request is refused (401/403) before any read or write unless that credential's account owns <ns>.
// A refusal's reason is the HTTP status text, which workerd puts into the error the Worker sees.
import type { Readable } from "node:stream";
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import { verifyCredential } from "@fireworkers/bindings-auth";
import {
  KV_CODES,
  KvError,
  MAX_BULK_GET_KEYS,
  MAX_VALUE_BYTES,
  readAll,
  resolveExpiration,
  validateCacheTtl,
  validateKey,
  validateListLimit,
  validateMetadata,
  type KvStore,
  type NamespaceRef,
} from "@fireworkers/kv-store";
import type { GatewayMetrics } from "../metrics.ts";
import type { NamespaceDirectory } from "../namespaces.ts";
import { ValueCache } from "./cache.ts";

export interface KvDeps {
  store: KvStore;
  cache: ValueCache;
  directory: NamespaceDirectory;
  metrics: GatewayMetrics;
  gatewayKey: Buffer;
}

declare module "fastify" {
  interface FastifyRequest {
    kvNamespace: NamespaceRef | null;
  }
  interface FastifyContextConfig {
    op?: string;
  }
}

const NAMESPACE_ID = /^[0-9a-f]{32}$/;
const MAX_BULK_BODY = 256 * 1024;

/** JSON with every non-ASCII character escaped: a header value that survives any HTTP stack. */
const asciiJson = (json: string) => json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

/** The key in the request path: everything after /kv/<ns>/, percent-decoded. */
function keyOf(request: FastifyRequest, namespaceId: string): string {
  const path = request.url.split("?", 1)[0]!;
  const raw = path.slice(`/kv/${namespaceId}/`.length);
  let key: string;
  try {
    key = decodeURIComponent(raw);
  } catch {
    throw new KvError(400, KV_CODES.invalidKey, "key: not a valid percent-encoded UTF-8 string");
  }
  return validateKey(key);
}

type Read = { found: false } | { found: true; value: Buffer; expiration?: number; metadata?: string } | { found: true; stream: Readable; size: number; expiration?: number; metadata?: string };

export const kvRoutes: FastifyPluginAsync<KvDeps> = async (app, deps) => {
  const { store, cache, directory, metrics, gatewayKey } = deps;
  // Values are bytes, whatever their content type: the body reaches the handler as the raw stream.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", (_request, payload, done) => done(null, payload));
  app.decorateRequest("kvNamespace", null);

  app.addHook("onRequest", async (request) => {
    const auth = request.headers.authorization;
    const account = verifyCredential(gatewayKey, auth?.startsWith("Bearer ") ? auth.slice(7) : undefined);
    if (!account) {
      metrics.refused.inc({ reason: "credential" });
      throw new KvError(401, 10000, "Authentication error: no valid bindings credential");
    }
    const namespaceId = (request.params as { namespaceId?: string }).namespaceId ?? "";
    const owner = NAMESPACE_ID.test(namespaceId) ? await directory.owner(namespaceId) : undefined;
    if (owner !== account) {
      metrics.refused.inc({ reason: "namespace" });
      request.log.warn({ account, namespaceId: namespaceId.slice(0, 64) }, "refused: the namespace is not one of the account's");
      throw new KvError(403, KV_CODES.namespaceNotFound, "namespace not found in this account");
    }
    request.kvNamespace = { accountId: account, namespaceId };
  });

  /**
   * A value through the cache: small values are kept, large ones stream from S3 every time. With `lazy`, an
   * uncached value comes back as its stream (the caller checks sizes before reading anything).
   */
  async function read(ns: NamespaceRef, key: string, cacheTtl: number, lazy = false): Promise<Read> {
    const cacheKey = ValueCache.key(ns.namespaceId, key);
    const hit = cache.get(cacheKey, cacheTtl);
    if (hit) {
      metrics.cache.inc({ result: "hit" });
      return hit.value ? { found: true, value: hit.value, expiration: hit.expiration, metadata: hit.metadata } : { found: false };
    }
    metrics.cache.inc({ result: "miss" });
    const started = cache.begin();
    const stored = await store.get(ns, key);
    if (!stored) {
      cache.set(cacheKey, started, { value: null });
      return { found: false };
    }
    const { expiration, metadata } = stored;
    if (!lazy && cache.enabled && stored.size <= cache.maxValueBytes) {
      const value = await readAll(stored.body, MAX_VALUE_BYTES);
      cache.set(cacheKey, started, { value, expiration, metadata });
      return { found: true, value, expiration, metadata };
    }
    return { found: true, stream: stored.body, size: stored.size, expiration, metadata };
  }

  const ns = (request: FastifyRequest) => request.kvNamespace!;

  app.get("/", { config: { op: "list" } }, async (request) => {
    const q = request.query as Record<string, string | undefined>;
    const limit = validateListLimit(q.key_count_limit, "key_count_limit");
    const prefix = q.prefix ?? "";
    if (Buffer.byteLength(prefix) > 512) throw new KvError(400, KV_CODES.invalidKey, "prefix: longer than 512 bytes");
    const page = await store.list(ns(request), { prefix, limit, cursor: q.cursor || undefined });
    return { ...page, cacheStatus: null };
  });

  app.post("/bulk/get", { config: { op: "bulk-get" } }, async (request) => {
    const body = await readAll(request.body as Readable, MAX_BULK_BODY, "body").catch((err) => {
      throw err instanceof KvError ? new KvError(413, KV_CODES.payloadTooLarge, "body: a bulk get names at most 100 keys") : err;
    });
    let input: { keys?: unknown; type?: unknown; withMetadata?: unknown; cacheTtl?: unknown };
    try {
      input = JSON.parse(body.toString("utf8"));
    } catch {
      throw new KvError(400, KV_CODES.malformedValue, "body: not JSON");
    }
    const keys = input.keys;
    if (!Array.isArray(keys) || keys.length < 1 || keys.length > MAX_BULK_GET_KEYS || !keys.every((k) => typeof k === "string")) {
      throw new KvError(400, KV_CODES.tooManyKeys, `keys: between 1 and ${MAX_BULK_GET_KEYS} key names`);
    }
    keys.forEach((k, i) => validateKey(k, `keys[${i}]`));
    const type = input.type ?? "text";
    if (type !== "text" && type !== "json") throw new KvError(400, KV_CODES.malformedValue, `type: "${String(type)}" is not a valid type. Use "json" or "text"`);
    const cacheTtl = validateCacheTtl(input.cacheTtl as string | undefined, "cacheTtl");
    // The answer is one JSON: the values' sizes are known before any body is read, so it stays within 25 MiB.
    const reads = await Promise.all(keys.map((k) => read(ns(request), k, cacheTtl, true)));
    const size = (r: Read) => (!r.found ? 0 : "value" in r ? r.value.length : r.size);
    if (reads.reduce((n, r) => n + size(r), 0) > MAX_VALUE_BYTES) {
      for (const r of reads) if (r.found && "stream" in r) r.stream.destroy();
      throw new KvError(413, KV_CODES.payloadTooLarge, "keys: the values together exceed 25 MiB");
    }
    const values = await Promise.all(reads.map(async (r) => (!r.found ? null : "value" in r ? r.value : await readAll(r.stream, MAX_VALUE_BYTES))));
    const out: Record<string, unknown> = Object.create(null);
    reads.forEach((r, i) => {
      const key = keys[i] as string;
      const bytes = values[i];
      if (!r.found || !bytes) {
        out[key] = null;
        return;
      }
      const text = bytes.toString("utf8");
      let value: unknown = text;
      if (type === "json") {
        try {
          value = JSON.parse(text);
        } catch {
          throw new KvError(400, KV_CODES.malformedValue, `keys[${i}]: the value is not JSON`);
        }
      }
      out[key] = input.withMetadata ? { value, metadata: r.metadata === undefined ? null : JSON.parse(r.metadata) } : value;
    });
    return out;
  });

  app.get("/*", { config: { op: "get" } }, async (request, reply) => {
    const namespace = ns(request);
    const key = keyOf(request, namespace.namespaceId);
    const q = request.query as Record<string, string | undefined>;
    const r = await read(namespace, key, validateCacheTtl(q.cache_ttl), false);
    if (!r.found) return notFound(reply);
    if (r.metadata !== undefined) reply.header("cf-kv-metadata", asciiJson(r.metadata));
    if (r.expiration !== undefined) reply.header("cf-expiration", String(r.expiration));
    reply.header("content-type", "application/octet-stream");
    if ("value" in r) return reply.send(r.value);
    reply.header("content-length", String(r.size));
    return reply.send(r.stream);
  });

  app.put("/*", { config: { op: "put" } }, async (request, reply) => {
    const namespace = ns(request);
    const key = keyOf(request, namespace.namespaceId);
    const q = request.query as Record<string, string | undefined>;
    const expiration = resolveExpiration({ expiration: q.expiration, expirationTtl: q.expiration_ttl }, Date.now());
    const header = request.headers["cf-kv-metadata"];
    // Node reads header bytes as latin1; workerd sends the JSON's UTF-8 bytes.
    const metadata = typeof header === "string" ? validateMetadata(Buffer.from(header, "latin1").toString("utf8")) : undefined;
    const length = request.headers["content-length"];
    await store.put(namespace, key, request.body as Readable, { expiration, metadata }, length === undefined ? undefined : Number(length));
    cache.invalidate(ValueCache.key(namespace.namespaceId, key));
    return reply.code(200).send();
  });

  app.delete("/*", { config: { op: "delete" } }, async (request, reply) => {
    const namespace = ns(request);
    const key = keyOf(request, namespace.namespaceId);
    await store.delete(namespace, key);
    cache.invalidate(ValueCache.key(namespace.namespaceId, key));
    return reply.code(200).send();
  });
};

function notFound(reply: FastifyReply) {
  return reply.code(404).header("content-type", "text/plain").send("Not Found");
}
