// The gateway behind a real workerd: a Worker's env.KV calls go through workerd's native kvNamespace
// binding, the platform's kv-binding worker and the gateway to the real S3; every refusal case is
// checked to read and write nothing.
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { randomBytes } from "node:crypto";
import { kvNamespacePrefix } from "@fireworkers/storage";
import { s3Client } from "@fireworkers/testenv";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createKvNamespace, newNamespaceId, op, startGateway, startWorkerd, type RunningGateway } from "./test/harness.ts";

const env = inject("env");
const namespace = `kvgw-${randomBytes(3).toString("hex")}`;
const accountA = "acc-a";
const accountB = "acc-b";
const nsA = newNamespaceId();
const nsA2 = newNamespaceId();
const nsB = newNamespaceId();
const s3 = s3Client(env.s3);

let gw: RunningGateway;
let workerd: Awaited<ReturnType<typeof startWorkerd>>;

const objects = async (account: string, id: string) =>
  ((await s3.send(new ListObjectsV2Command({ Bucket: env.s3.bucket, Prefix: kvNamespacePrefix(account, id) }))).Contents ?? []).map((o) => o.Key!);

beforeAll(async () => {
  gw = await startGateway(env, namespace);
  await createKvNamespace(env, namespace, nsA, accountA);
  await createKvNamespace(env, namespace, nsA2, accountA);
  await createKvNamespace(env, namespace, nsB, accountB);
  // KV_OTHER names account B's namespace: the API refuses that at upload; the gateway refuses it too.
  workerd = await startWorkerd(env, gw.port, gw.credential(accountA), [
    { name: "KV", namespaceId: nsA },
    { name: "KV2", namespaceId: nsA2 },
    { name: "KV_OTHER", namespaceId: nsB },
  ]);
});

afterAll(async () => {
  await workerd?.stop();
  await gw?.stop();
  s3.destroy();
});

describe("KV binding through workerd and the gateway", () => {
  it("puts and gets text, json, arrayBuffer and stream, with metadata and expiration", async () => {
    const expiration = Math.floor(Date.now() / 1000) + 3600;
    expect(await op(workerd, { op: "put", key: "greeting", value: "hello ☀", options: { metadata: { lang: "en", emoji: "☀" }, expiration } })).toEqual({ ok: true });
    expect((await op(workerd, { op: "get", key: "greeting" })).result).toBe("hello ☀");
    expect((await op(workerd, { op: "get", key: "greeting", options: { type: "arrayBuffer" } })).result).toEqual({ bytes: Buffer.byteLength("hello ☀") });
    expect((await op(workerd, { op: "getStream", key: "greeting" })).result).toEqual({ bytes: Buffer.byteLength("hello ☀") });
    expect((await op(workerd, { op: "getWithMetadata", key: "greeting" })).result).toEqual({ value: "hello ☀", metadata: { lang: "en", emoji: "☀" }, cacheStatus: null });
    await op(workerd, { op: "put", key: "config", value: JSON.stringify({ a: [1, 2] }) });
    expect((await op(workerd, { op: "get", key: "config", options: { type: "json" } })).result).toEqual({ a: [1, 2] });
    expect((await op(workerd, { op: "get", key: "missing" })).result).toBeNull();
    const listed = (await op(workerd, { op: "list" })).result;
    expect(listed.keys).toEqual([{ name: "config" }, { name: "greeting", expiration, metadata: { lang: "en", emoji: "☀" } }]);
    expect(listed.list_complete).toBe(true);
    expect(await objects(accountA, nsA)).toHaveLength(2);
  });

  it("keys with any characters stay one key each", async () => {
    const keys = ["a/b", "a%2Fb", "../x", "?q=1#h", "日本", " space ", "😀"];
    for (const key of keys) expect(await op(workerd, { op: "put", key, value: `v:${key}`, binding: "KV2" })).toEqual({ ok: true });
    for (const key of keys) expect((await op(workerd, { op: "get", key, binding: "KV2" })).result).toBe(`v:${key}`);
    const names = (await op(workerd, { op: "list", binding: "KV2" })).result.keys.map((k: { name: string }) => k.name);
    expect(names).toEqual([...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))));
    for (const key of keys) await op(workerd, { op: "delete", key, binding: "KV2" });
    expect((await op(workerd, { op: "list", binding: "KV2" })).result.keys).toEqual([]);
  });

  it("bulk gets text and json, with metadata; missing keys are null", async () => {
    await op(workerd, { op: "put", key: "j1", value: '{"n":1}', options: { metadata: { m: 1 } } });
    await op(workerd, { op: "put", key: "j2", value: '{"n":2}' });
    expect((await op(workerd, { op: "bulkGet", keys: ["j1", "j2", "nope"], options: { type: "json" } })).result).toEqual({ j1: { n: 1 }, j2: { n: 2 }, nope: null });
    expect((await op(workerd, { op: "bulkGetWithMetadata", keys: ["j1", "j2"] })).result).toEqual({
      j1: { value: '{"n":1}', metadata: { m: 1 } },
      j2: { value: '{"n":2}', metadata: null },
    });
  });

  it("lists with prefix, limit and cursor", async () => {
    for (let i = 0; i < 25; i++) await op(workerd, { op: "put", key: `page:${String(i).padStart(2, "0")}`, value: "x", binding: "KV2" });
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let n = 0; n < 10; n++) {
      const page = (await op(workerd, { op: "list", binding: "KV2", options: { prefix: "page:", limit: 10, cursor } })).result;
      seen.push(...page.keys.map((k: { name: string }) => k.name));
      if (page.list_complete) break;
      cursor = page.cursor;
    }
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => `page:${String(i).padStart(2, "0")}`));
  });

  it("streams a 25 MiB value in and out; one byte more is refused naming the limit, nothing stored", async () => {
    const size = 25 * 1024 * 1024;
    expect(await op(workerd, { op: "putStream", key: "big", size })).toEqual({ ok: true });
    expect((await op(workerd, { op: "getStream", key: "big" })).result).toEqual({ bytes: size });
    const tooBig = await op(workerd, { op: "putStream", key: "too-big", size: size + 1 });
    expect(tooBig.ok).toBe(false);
    expect(tooBig.error).toMatch(/413.*value.*25 MiB/);
    expect((await op(workerd, { op: "get", key: "too-big" })).result).toBeNull();
  });

  it("refuses bad input with the field named, writing nothing", async () => {
    const before = await objects(accountA, nsA);
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ op: "put", key: "k", value: "v", options: { expirationTtl: 30 } }, /expiration_ttl.*at least 60/],
      [{ op: "put", key: "k", value: "v", options: { expiration: Math.floor(Date.now() / 1000) + 10 } }, /expiration/],
      [{ op: "put", key: "k", value: "v", options: { metadata: { big: "x".repeat(1100) } } }, /metadata.*1024/],
      [{ op: "get", key: "k", options: { cacheTtl: 10 } }, /cache_ttl.*at least 30/],
      [{ op: "list", options: { limit: 1001 } }, /limit/],
      [{ op: "put", key: "x".repeat(513), value: "v" }, /414|key length/],
      [{ op: "list", options: { cursor: "forged!" } }, /cursor/],
    ];
    for (const [body, reason] of cases) {
      const res = await op(workerd, body);
      expect(res.ok, JSON.stringify(body).slice(0, 80)).toBe(false);
      expect(res.error).toMatch(reason);
    }
    expect(await objects(accountA, nsA)).toEqual(before);
  });

  it("sees its own writes at once, and caches reads for cacheTtl", async () => {
    await op(workerd, { op: "put", key: "counter", value: "1" });
    expect((await op(workerd, { op: "get", key: "counter" })).result).toBe("1");
    await op(workerd, { op: "put", key: "counter", value: "2" });
    expect((await op(workerd, { op: "get", key: "counter" })).result).toBe("2");
    await op(workerd, { op: "delete", key: "counter" });
    expect((await op(workerd, { op: "get", key: "counter" })).result).toBeNull();
    const hits = async () => Number(/bindings_gateway_kv_cache_total\{result="hit"\} (\d+)/.exec(await gw.gateway.gatewayMetrics.registry.metrics())?.[1] ?? 0);
    await op(workerd, { op: "put", key: "cached", value: "c" });
    await op(workerd, { op: "get", key: "cached" });
    const before = await hits();
    await op(workerd, { op: "get", key: "cached" });
    expect(await hits()).toBe(before + 1);
  });
});

describe("isolation", () => {
  it("a binding to another account's namespace is refused: nothing read or written", async () => {
    const put = await op(workerd, { op: "put", key: "stolen", value: "x", binding: "KV_OTHER" });
    expect(put.ok).toBe(false);
    expect(put.error).toMatch(/403/);
    expect((await op(workerd, { op: "list", binding: "KV_OTHER" })).ok).toBe(false);
    expect(await objects(accountB, nsB)).toEqual([]);
  });

  it("tenant code cannot reach the gateway with fetch(), whatever it forges", async () => {
    for (const url of [`http://127.0.0.1:${gw.port}/kv/${nsA}/greeting`, `http://localhost:${gw.port}/healthz`]) {
      const res = await op(workerd, { op: "rawFetch", url, headers: { authorization: `Bearer ${gw.credential(accountA)}` } });
      expect(res.ok, url).toBe(false);
    }
    const put = await op(workerd, { op: "rawFetch", url: `http://127.0.0.1:${gw.port}/kv/${nsB}/forged`, method: "PUT", body: "x", headers: { "x-account": accountB } });
    expect(put.ok).toBe(false);
    expect(await objects(accountB, nsB)).toEqual([]);
  });

  it("tenant code sees only its bindings: no credential, no gateway", async () => {
    expect((await op(workerd, { op: "bindings" })).result).toEqual(["GATEWAY_URL", "KV", "KV2", "KV_OTHER"]);
  });

  it("the gateway refuses a missing or forged credential, and another account's credential on a namespace", async () => {
    const put = (id: string, headers: Record<string, string>) => fetch(`${gw.url}/kv/${id}/forged?urlencoded=true`, { method: "PUT", body: "x", headers });
    expect((await put(nsB, {})).status).toBe(401);
    expect((await put(nsB, { authorization: `Bearer fwb1.${accountB}.${"A".repeat(43)}` })).status).toBe(401);
    expect((await put(nsB, { authorization: `Bearer ${gw.credential(accountA)}`, "x-account": accountB })).status).toBe(403);
    expect((await fetch(`${gw.url}/kv/${nsB}/?prefix=`, { headers: { authorization: `Bearer ${gw.credential(accountA)}` } })).status).toBe(403);
    expect((await put("not-an-id", { authorization: `Bearer ${gw.credential(accountA)}` })).status).toBe(403);
    expect(await objects(accountB, nsB)).toEqual([]);
    // and the owner's credential works
    expect((await put(nsB, { authorization: `Bearer ${gw.credential(accountB)}` })).status).toBe(200);
    expect(await objects(accountB, nsB)).toHaveLength(1);
  });
});
