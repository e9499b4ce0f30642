// Workers KV on S3: one object per key, under the namespace's prefix (libs/storage), named by keys.ts.
// The value is the object's body; its expiration and metadata ride along as S3 user metadata, so a read
// is one GET and a write one PUT (atomic: a value never appears without its metadata or the reverse).
// A listing lists the objects and reads each one's user metadata with a HEAD (bounded concurrency):
// S3 listings carry no user metadata, and a second index object would need a second write per put.
//
//   accounts/<account>/kv/<namespace id>/v/<object name>     x-amz-meta-kv-expiration: <unix seconds>
//                                                            x-amz-meta-kv-metadata: base64url(JSON)
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { randomUUID } from "node:crypto";
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { kvNamespacePrefix } from "@fireworkers/storage";
import { KV_CODES, KvError } from "./errors.ts";
import { cursorOf, keyOfObjectName, nameOfCursor, objectName, prefixRange } from "./keys.ts";
import { MAX_VALUE_BYTES, valueTooLarge } from "./limits.ts";

export interface NamespaceRef {
  accountId: string;
  namespaceId: string;
}

/** What a write carries besides the value (already validated: see limits.ts). */
export interface WriteOptions {
  /** Unix seconds. */
  expiration?: number;
  /** Normalised JSON text. */
  metadata?: string;
}

export interface StoredValue {
  body: Readable;
  size: number;
  expiration?: number;
  metadata?: string;
}

export interface ListedKey {
  name: string;
  expiration?: number;
  metadata?: unknown;
}

export interface ListPage {
  keys: ListedKey[];
  list_complete: boolean;
  cursor?: string;
}

export interface KvStoreOptions {
  /** Concurrent HEADs while listing and concurrent writes in bulk operations. */
  concurrency?: number;
  /** Parts of a large streamed value: part size (>= 5 MiB) and parts in flight. */
  partBytes?: number;
  queueSize?: number;
  now?: () => number;
}

const META_EXPIRATION = "kv-expiration";
const META_METADATA = "kv-metadata";
const VALUES = "v/";
/** Values whose attributes arrive after them (API multipart puts) wait here, inside the namespace's prefix. */
const STAGING = "staging/";

const statusOf = (err: unknown) => (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
const isNotFound = (err: unknown) => statusOf(err) === 404 || (err as { name?: string }).name === "NoSuchKey" || (err as { name?: string }).name === "NotFound";

function attributes(meta: Record<string, string> | undefined): { expiration?: number; metadata?: string } {
  const out: { expiration?: number; metadata?: string } = {};
  const exp = meta?.[META_EXPIRATION];
  if (exp && /^\d{1,12}$/.test(exp)) out.expiration = Number(exp);
  const md = meta?.[META_METADATA];
  if (md) out.metadata = Buffer.from(md, "base64url").toString("utf8");
  return out;
}

/** Runs `fn` over `items` with at most `limit` at a time, keeping the order of the results. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Counts bytes going through and fails the stream once they exceed the value limit. */
function sizeLimit(max: number, field: string): Transform & { bytes: number } {
  const t = new Transform({
    transform(chunk: Buffer, _enc, done) {
      t.bytes += chunk.length;
      if (t.bytes > max) done(valueTooLarge(t.bytes, field));
      else done(null, chunk);
    },
  }) as Transform & { bytes: number };
  t.bytes = 0;
  return t;
}

export class KvStore {
  readonly bucket: string;
  private readonly s3: S3Client;
  private readonly concurrency: number;
  private readonly partBytes: number;
  private readonly queueSize: number;
  private readonly now: () => number;

  constructor(s3: S3Client, bucket: string, options: KvStoreOptions = {}) {
    this.s3 = s3;
    this.bucket = bucket;
    this.concurrency = options.concurrency ?? 32;
    this.partBytes = Math.max(options.partBytes ?? 5 * 1024 * 1024, 5 * 1024 * 1024);
    this.queueSize = options.queueSize ?? 1;
    this.now = options.now ?? Date.now;
  }

  /** Every object of the namespace lives under this prefix (the finalizer deletes it). */
  prefix(ns: NamespaceRef): string {
    return kvNamespacePrefix(ns.accountId, ns.namespaceId);
  }

  objectKey(ns: NamespaceRef, key: string): string {
    return `${this.prefix(ns)}${VALUES}${objectName(key)}`;
  }

  private expired(expiration: number | undefined): boolean {
    return expiration !== undefined && expiration * 1000 <= this.now();
  }

  /** The value with its attributes, or null when absent or expired (an expired key is invisible at once). */
  async get(ns: NamespaceRef, key: string, signal?: AbortSignal): Promise<StoredValue | null> {
    let res;
    try {
      res = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(ns, key) }), { abortSignal: signal });
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
    const body = res.Body as Readable;
    const attrs = attributes(res.Metadata);
    if (this.expired(attrs.expiration)) {
      body.destroy();
      return null;
    }
    return { body, size: res.ContentLength ?? 0, ...attrs };
  }

  /** The attributes alone (no body), or null. */
  async head(ns: NamespaceRef, key: string): Promise<{ size: number; expiration?: number; metadata?: string; etag?: string } | null> {
    return this.headObject(this.objectKey(ns, key));
  }

  private async headObject(objectKey: string): Promise<{ size: number; expiration?: number; metadata?: string; etag?: string } | null> {
    try {
      const res = await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: objectKey }));
      return { size: res.ContentLength ?? 0, etag: res.ETag, ...attributes(res.Metadata) };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  private objectMetadata(options: WriteOptions): Record<string, string> {
    const meta: Record<string, string> = {};
    if (options.expiration !== undefined) meta[META_EXPIRATION] = String(options.expiration);
    if (options.metadata !== undefined) meta[META_METADATA] = Buffer.from(options.metadata, "utf8").toString("base64url");
    return meta;
  }

  /**
   * Writes a value. A Buffer or string goes in one PUT; a stream is counted on the way and fails with
   * 413 past 25 MiB (nothing is stored then): small streams with a known length go in one PUT, others
   * through a multipart upload that holds at most `queueSize` parts in memory.
   */
  async put(ns: NamespaceRef, key: string, value: Buffer | string | Readable, options: WriteOptions = {}, contentLength?: number, field = "value"): Promise<void> {
    const Key = this.objectKey(ns, key);
    const Metadata = this.objectMetadata(options);
    if (typeof value === "string" || Buffer.isBuffer(value)) {
      const body = typeof value === "string" ? Buffer.from(value, "utf8") : value;
      if (body.length > MAX_VALUE_BYTES) throw valueTooLarge(body.length, field);
      await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body: body, ContentLength: body.length, Metadata }));
      return;
    }
    if (contentLength !== undefined && contentLength > MAX_VALUE_BYTES) {
      value.resume();
      throw valueTooLarge(contentLength, field);
    }
    const counted = sizeLimit(MAX_VALUE_BYTES, field);
    const source = value.pipe(counted);
    value.on("error", (err) => counted.destroy(err));
    if (contentLength !== undefined && contentLength <= this.partBytes) {
      // One request; the SDK streams the body with the declared length.
      try {
        await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body: source, ContentLength: contentLength, Metadata }));
      } catch (err) {
        throw (counted.errored as Error | null) ?? err;
      }
      return;
    }
    try {
      await this.upload(Key, source, Metadata);
    } catch (err) {
      throw (counted.errored as Error | null) ?? err;
    }
  }

  /** A body of unknown length, streamed as a multipart upload that holds at most `queueSize` parts in memory. */
  private async upload(Key: string, Body: Readable, Metadata?: Record<string, string>): Promise<void> {
    const upload = new Upload({
      client: this.s3,
      params: { Bucket: this.bucket, Key, Body, ...(Metadata ? { Metadata } : {}) },
      partSize: this.partBytes,
      queueSize: this.queueSize,
      leavePartsOnError: false,
    });
    await upload.done();
  }

  /**
   * A value whose attributes are not known yet (a multipart put sends the value before its metadata):
   * streamed to a staging object now, made the key's value by `commit` (one server-side copy that sets
   * the attributes, so the key never shows the value without them), or dropped by `abort`.
   */
  async stage(ns: NamespaceRef, value: Readable, field = "value"): Promise<{ commit(key: string, options: WriteOptions): Promise<void>; abort(): Promise<void> }> {
    const staging = `${this.prefix(ns)}${STAGING}${randomUUID()}`;
    const remove = () => this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: staging })).then(() => undefined);
    const counted = sizeLimit(MAX_VALUE_BYTES, field);
    value.on("error", (err) => counted.destroy(err));
    try {
      await this.upload(staging, value.pipe(counted));
    } catch (err) {
      await remove().catch(() => undefined);
      throw (counted.errored as Error | null) ?? err;
    }
    return {
      commit: async (key, options) => {
        try {
          await this.s3.send(
            new CopyObjectCommand({
              Bucket: this.bucket,
              Key: this.objectKey(ns, key),
              CopySource: `${this.bucket}/${encodeURIComponent(staging).replaceAll("%2F", "/")}`,
              MetadataDirective: "REPLACE",
              Metadata: this.objectMetadata(options),
            }),
          );
        } finally {
          await remove();
        }
      },
      abort: remove,
    };
  }

  async delete(ns: NamespaceRef, key: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(ns, key) }));
  }

  /** Deletes keys, 1000 per S3 request. */
  async deleteMany(ns: NamespaceRef, keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const Objects = keys.slice(i, i + 1000).map((k) => ({ Key: this.objectKey(ns, k) }));
      const res = await this.s3.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects, Quiet: true } }));
      if (res.Errors?.length) throw new Error(`S3 refused to delete ${res.Errors.length} object(s): ${res.Errors[0]?.Message}`);
    }
  }

  /** Writes many values (already validated), `concurrency` at a time. */
  async putMany(ns: NamespaceRef, entries: readonly { key: string; value: Buffer; options: WriteOptions }[]): Promise<void> {
    await mapLimit(entries, this.concurrency, (e) => this.put(ns, e.key, e.value, e.options));
  }

  /**
   * One page of keys in UTF-8 byte order, expired ones left out. `cursor` is the previous page's; a page
   * has at most `limit` keys and says where the next one starts.
   */
  async list(ns: NamespaceRef, options: { prefix?: string; limit: number; cursor?: string }): Promise<ListPage> {
    const base = `${this.prefix(ns)}${VALUES}`;
    const prefix = options.prefix ?? "";
    const range = prefixRange(prefix);
    let startAfter = range.startAfter;
    if (options.cursor) {
      const name = nameOfCursor(options.cursor);
      if (!name) throw new KvError(400, KV_CODES.invalidCursor, "cursor: invalid cursor");
      if (name > startAfter) startAfter = name;
    }
    const keys: ListedKey[] = [];
    for (;;) {
      const page = await this.s3.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: base + range.s3Prefix,
          StartAfter: startAfter ? base + startAfter : undefined,
          MaxKeys: Math.min(1000, options.limit - keys.length + 10),
        }),
      );
      const names: { name: string; key: string }[] = [];
      let beyond = false;
      for (const o of page.Contents ?? []) {
        const name = o.Key!.slice(base.length);
        const key = keyOfObjectName(name);
        if (key === undefined) continue;
        if (!key.startsWith(prefix)) {
          beyond = true;
          break;
        }
        names.push({ name, key });
      }
      const heads = await mapLimit(names, this.concurrency, (n) => this.headObject(base + n.name));
      for (let i = 0; i < names.length; i++) {
        const head = heads[i];
        if (!head || this.expired(head.expiration)) continue;
        const entry: ListedKey = { name: names[i]!.key };
        if (head.expiration !== undefined) entry.expiration = head.expiration;
        if (head.metadata !== undefined) entry.metadata = JSON.parse(head.metadata);
        keys.push(entry);
        if (keys.length === options.limit) {
          const more = i < names.length - 1 || (!beyond && page.IsTruncated === true);
          return more ? { keys, list_complete: false, cursor: cursorOf(names[i]!.name) } : { keys, list_complete: true };
        }
      }
      const lastInPage = page.Contents?.at(-1)?.Key;
      if (beyond || !page.IsTruncated || !lastInPage) return { keys, list_complete: true };
      startAfter = lastInPage.slice(base.length);
    }
  }

  /** Every object of the namespace, deleted (the namespace's finalizer). Returns how many. */
  async deleteAll(ns: NamespaceRef): Promise<number> {
    const Prefix = this.prefix(ns);
    let deleted = 0;
    for (;;) {
      const page = await this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix, MaxKeys: 1000 }));
      const Objects = (page.Contents ?? []).map((o) => ({ Key: o.Key! }));
      if (Objects.length === 0) return deleted;
      const res = await this.s3.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects, Quiet: true } }));
      if (res.Errors?.length) throw new Error(`S3 refused to delete ${res.Errors.length} object(s): ${res.Errors[0]?.Message}`);
      deleted += Objects.length;
    }
  }

  /**
   * Deletes the namespace's expired keys. Each delete is conditional on the ETag the sweep saw, so a value
   * written again since then is kept. Returns how many were deleted.
   */
  async sweep(ns: NamespaceRef): Promise<number> {
    const base = `${this.prefix(ns)}${VALUES}`;
    let startAfter: string | undefined;
    let deleted = 0;
    for (;;) {
      const page = await this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: base, StartAfter: startAfter, MaxKeys: 1000 }));
      const objects = (page.Contents ?? []).map((o) => o.Key!);
      const heads = await mapLimit(objects, this.concurrency, (k) => this.headObject(k));
      await mapLimit(
        objects.filter((_, i) => heads[i] && this.expired(heads[i]!.expiration)),
        this.concurrency,
        async (Key) => {
          const etag = heads[objects.indexOf(Key)]!.etag;
          try {
            await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key, IfMatch: etag }));
            deleted++;
          } catch (err) {
            // 412: written again since the HEAD; 404: gone already. Both leave nothing to do.
            if (statusOf(err) !== 412 && !isNotFound(err)) throw err;
          }
        },
      );
      if (!page.IsTruncated || objects.length === 0) return deleted;
      startAfter = objects.at(-1);
    }
  }
}

/** Reads a whole (small) stream, failing past `max` bytes. For bulk reads, whose answer is one JSON. */
export async function readAll(body: Readable, max: number, field = "value"): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const limit = sizeLimit(max, field);
  limit.on("data", (c: Buffer) => chunks.push(c));
  await pipeline(body, limit);
  return Buffer.concat(chunks);
}

