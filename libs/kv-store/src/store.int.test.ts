// KvStore against the real S3 of the test environment (versitygw: SigV4, multipart, POSIX-backed names).
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { s3Client } from "@fireworkers/testenv";
import { afterAll, describe, expect, inject, it } from "vitest";
import { KvError } from "./errors.ts";
import { MAX_VALUE_BYTES } from "./limits.ts";
import { KvStore, readAll, type NamespaceRef } from "./store.ts";

const env = inject("env");
const s3 = s3Client(env.s3);
afterAll(() => s3.destroy());

let clock = Date.now();
const store = new KvStore(s3, env.s3.bucket, { now: () => clock });
const ns = (): NamespaceRef => ({ accountId: "kvstore-test", namespaceId: randomBytes(16).toString("hex") });
const text = async (v: { body: Readable } | null) => (v ? (await readAll(v.body, MAX_VALUE_BYTES)).toString("utf8") : null);
const objects = async (prefix: string) => {
  const res = await s3.send(new ListObjectsV2Command({ Bucket: env.s3.bucket, Prefix: prefix }));
  return (res.Contents ?? []).map((o) => o.Key!);
};

describe("KvStore on S3", () => {
  it("puts, gets with metadata and expiration, deletes", async () => {
    const n = ns();
    const exp = Math.floor(clock / 1000) + 3600;
    await store.put(n, "greeting", "hello ☀", { expiration: exp, metadata: '{"lang":"en","n":[1,2]}' });
    const got = await store.get(n, "greeting");
    expect(got?.expiration).toBe(exp);
    expect(got?.metadata).toBe('{"lang":"en","n":[1,2]}');
    expect(await text(got)).toBe("hello ☀");
    expect(await objects(store.prefix(n))).toEqual([store.objectKey(n, "greeting")]);
    await store.delete(n, "greeting");
    expect(await store.get(n, "greeting")).toBeNull();
    await store.delete(n, "greeting"); // deleting a missing key is fine
  });

  it("stores keys of any characters up to 512 bytes, each in its own object", async () => {
    const n = ns();
    const keys = ["a/b", "a%2Fb", "../../escape", "\u0000nul", "日本語", "😀".repeat(128), "x".repeat(512), "a b?c#d"];
    for (const k of keys) await store.put(n, k, `v:${k}`);
    for (const k of keys) expect(await text(await store.get(n, k))).toBe(`v:${k}`);
    const stored = await objects(store.prefix(n));
    expect(stored).toHaveLength(keys.length);
    expect(stored.every((o) => o.startsWith(`${store.prefix(n)}v/`))).toBe(true);
  });

  it("hides an expired key at once and the sweep deletes it, keeping a key written again", async () => {
    const n = ns();
    const soon = Math.floor(clock / 1000) + 60;
    await store.put(n, "old", "1", { expiration: soon });
    await store.put(n, "kept", "2", { expiration: soon });
    await store.put(n, "forever", "3");
    clock += 61_000;
    expect(await store.get(n, "old")).toBeNull();
    expect((await store.list(n, { limit: 1000 })).keys.map((k) => k.name)).toEqual(["forever"]);
    await store.put(n, "kept", "again");
    expect(await store.sweep(n)).toBe(1);
    expect(await text(await store.get(n, "kept"))).toBe("again");
    expect((await objects(store.prefix(n))).length).toBe(2);
  });

  it("lists in UTF-8 byte order with prefix, limit and cursor", async () => {
    const n = ns();
    const keys = ["b", "a", "ab", "A", "é", "日", "user:2", "user:10", "user:1", "users", "usa", "z"];
    await store.putMany(
      n,
      keys.map((k) => ({ key: k, value: Buffer.from(k), options: k === "ab" ? { metadata: '{"m":1}' } : {} })),
    );
    const sorted = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    const all = await store.list(n, { limit: 1000 });
    expect(all.keys.map((k) => k.name)).toEqual(sorted);
    expect(all.list_complete).toBe(true);
    expect(all.keys.find((k) => k.name === "ab")?.metadata).toEqual({ m: 1 });

    const names: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 10; i++) {
      const page = await store.list(n, { limit: 5, cursor });
      names.push(...page.keys.map((k) => k.name));
      if (page.list_complete) break;
      expect(page.keys).toHaveLength(5);
      cursor = page.cursor;
    }
    expect(names).toEqual(sorted);

    expect((await store.list(n, { prefix: "user", limit: 1000 })).keys.map((k) => k.name)).toEqual(["user:1", "user:10", "user:2", "users"]);
    const p1 = await store.list(n, { prefix: "user:", limit: 2 });
    expect(p1.keys.map((k) => k.name)).toEqual(["user:1", "user:10"]);
    const p2 = await store.list(n, { prefix: "user:", limit: 2, cursor: p1.cursor });
    expect(p2.keys.map((k) => k.name)).toEqual(["user:2"]);
    expect(p2.list_complete).toBe(true);
    expect((await store.list(n, { prefix: "nothing", limit: 10 })).keys).toEqual([]);
    await expect(store.list(n, { limit: 10, cursor: "forged!" })).rejects.toThrow(/cursor/);
  });

  it("ignores objects in the namespace's prefix that this layout never writes", async () => {
    const n = ns();
    await store.put(n, "real", "1");
    await s3.send(new PutObjectCommand({ Bucket: env.s3.bucket, Key: `${store.prefix(n)}v/not-ours`, Body: "x" }));
    expect((await store.list(n, { limit: 10 })).keys.map((k) => k.name)).toEqual(["real"]);
  });

  it("streams a 25 MiB value in and out, and refuses one byte more with nothing stored", async () => {
    const n = ns();
    const chunk = randomBytes(1024 * 1024);
    const stream = (bytes: number) =>
      Readable.from(
        (function* () {
          for (let sent = 0; sent < bytes; sent += chunk.length) yield chunk.subarray(0, Math.min(chunk.length, bytes - sent));
        })(),
      );
    await store.put(n, "big", stream(MAX_VALUE_BYTES));
    const got = await store.get(n, "big");
    expect(got?.size).toBe(MAX_VALUE_BYTES);
    let bytes = 0;
    for await (const c of got!.body) bytes += (c as Buffer).length;
    expect(bytes).toBe(MAX_VALUE_BYTES);

    const err = await store.put(n, "too-big", stream(MAX_VALUE_BYTES + 1)).catch((e) => e);
    expect(err).toBeInstanceOf(KvError);
    expect((err as KvError).status).toBe(413);
    expect(await store.head(n, "too-big")).toBeNull();
  });

  it("stages a value whose metadata comes after it, and commits it with the metadata in one copy", async () => {
    const n = ns();
    const staged = await store.stage(n, Readable.from([Buffer.from("late "), Buffer.from("metadata")]));
    expect(await store.get(n, "k")).toBeNull();
    await staged.commit("k", { metadata: '{"a":1}' });
    const got = await store.get(n, "k");
    expect(got?.metadata).toBe('{"a":1}');
    expect(await text(got)).toBe("late metadata");
    expect(await objects(store.prefix(n))).toEqual([store.objectKey(n, "k")]);
    const dropped = await store.stage(n, Readable.from([Buffer.from("x")]));
    await dropped.abort();
    expect(await objects(store.prefix(n))).toEqual([store.objectKey(n, "k")]);
  });

  it("deletes everything of a namespace and nothing of another", async () => {
    const a = ns();
    const b = ns();
    await store.putMany(a, Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: Buffer.from("x"), options: {} })));
    await store.put(b, "k0", "y");
    expect(await store.deleteAll(a)).toBe(30);
    expect(await objects(store.prefix(a))).toEqual([]);
    expect(await text(await store.get(b, "k0"))).toBe("y");
  });
});
