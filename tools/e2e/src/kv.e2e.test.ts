// Workers KV on the platform: namespaces and values through the real wrangler 4 (--remote), a deployed Worker
// using env.KV through workerd's native binding, the bindings gateway and S3, and the isolation cases: tenant
// code trying to reach the gateway directly, with forged headers, and a binding to another account's namespace.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, kubectl } from "@fireworkers/testenv";
import { e2eContext, fetchVia, newTenant, plainProject, untilAnswers, writeProject, type Tenant } from "./test/index.ts";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

const { cluster, platform } = e2eContext();
const kube = { kubectl: cluster.kubectl, kubeconfig: cluster.kubeconfig };

// The tenant's Worker: GET /op?q=<json> runs one KV call (or one attack) and answers {ok, result} / {ok:false, error}.
const WORKER = `
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname !== "/op") return new Response("kv worker");
    const a = JSON.parse(url.searchParams.get("q"));
    try {
      let result;
      switch (a.op) {
        case "put": await env.KV.put(a.key, a.value, a.options); break;
        case "get": { const v = await env.KV.get(a.key, a.options); result = v instanceof ArrayBuffer ? { bytes: v.byteLength } : v; break; }
        case "getStream": { const s = await env.KV.get(a.key, "stream"); let n = 0; if (s) for await (const c of s) n += c.byteLength; result = s ? { bytes: n } : null; break; }
        case "getWithMetadata": result = await env.KV.getWithMetadata(a.key, a.options); break;
        case "bulkGet": result = Object.fromEntries(await env.KV.get(a.keys, a.options)); break;
        case "list": result = await env.KV.list(a.options); break;
        case "listAll": {
          const names = []; let cursor; let pages = 0;
          do { const page = await env.KV.list({ prefix: a.prefix, cursor }); names.push(...page.keys.map((k) => k.name)); cursor = page.list_complete ? undefined : page.cursor; pages++; } while (cursor);
          result = { count: names.length, pages, first: names[0], last: names[names.length - 1], sorted: names.every((n, i) => i === 0 || names[i - 1] < n) };
          break;
        }
        case "delete": await env.KV.delete(a.key); break;
        case "rawFetch": { const res = await fetch(a.url, { method: a.method ?? "GET", headers: a.headers, body: a.body }); result = { status: res.status, body: (await res.text()).slice(0, 200) }; break; }
        case "env": result = Object.keys(env).sort(); break;
        default: throw new Error("unknown op");
      }
      return Response.json({ ok: true, result });
    } catch (err) {
      return Response.json({ ok: false, error: String((err && err.message) || err) });
    }
  },
};
`;

describe("Workers KV", () => {
  let tenant: Tenant;
  let other: Tenant;
  let dir: string;
  let id = "";
  let otherId = "";
  const op = async (body: Record<string, unknown>) => {
    const r = await fetchVia(platform.edgeUrl, tenant.host("kv-user"), `/op?q=${encodeURIComponent(JSON.stringify(body))}`);
    expect(r.status, r.body).toBe(200);
    return JSON.parse(r.body) as { ok: boolean; result?: any; error?: string };
  };

  beforeAll(async () => {
    tenant = await newTenant(cluster, platform, "kv");
    other = await newTenant(cluster, platform, "kvother");
    const created = await tenant.wrangler(process.cwd(), ["kv", "namespace", "create", "e2e-cache"]);
    expect(created.code, created.output).toBe(0);
    id = /([0-9a-f]{32})/.exec(created.output)![1]!;
    const theirs = await other.wrangler(process.cwd(), ["kv", "namespace", "create", "theirs"]);
    otherId = /([0-9a-f]{32})/.exec(theirs.output)![1]!;
    dir = writeProject(plainProject("kv-user", WORKER, `[[kv_namespaces]]\nbinding = "KV"\nid = "${id}"\n`));
    const r = await tenant.wrangler(dir, ["deploy"]);
    expect(r.code, r.output).toBe(0);
    await untilAnswers(platform.edgeUrl, tenant.host("kv-user"), (b) => b === "kv worker");
  });
  afterAll(async () => {
    await tenant?.remove();
    await other?.remove();
  });

  it("a Worker puts and gets text, json, arrayBuffer and stream, with metadata", async () => {
    expect(await op({ op: "put", key: "greeting", value: "hello from KV", options: { metadata: { v: 1 } } })).toEqual({ ok: true });
    expect((await op({ op: "get", key: "greeting" })).result).toBe("hello from KV");
    expect((await op({ op: "get", key: "greeting", options: { type: "arrayBuffer" } })).result).toEqual({ bytes: 13 });
    expect((await op({ op: "getStream", key: "greeting" })).result).toEqual({ bytes: 13 });
    expect((await op({ op: "getWithMetadata", key: "greeting" })).result).toMatchObject({ value: "hello from KV", metadata: { v: 1 } });
    await op({ op: "put", key: "cfg", value: '{"a":[1,2]}' });
    expect((await op({ op: "get", key: "cfg", options: { type: "json" } })).result).toEqual({ a: [1, 2] });
    expect((await op({ op: "bulkGet", keys: ["greeting", "cfg", "none"] })).result).toEqual({ greeting: "hello from KV", cfg: '{"a":[1,2]}', none: null });
    expect((await op({ op: "get", key: "none" })).result).toBeNull();
  });

  it("wrangler kv key put is read by the Worker, and the Worker's put by wrangler kv key get", async () => {
    let r = await tenant.wrangler(dir, ["kv", "key", "put", "from-cli", "written by wrangler", "--binding", "KV", "--remote"]);
    expect(r.code, r.output).toBe(0);
    expect((await op({ op: "get", key: "from-cli" })).result).toBe("written by wrangler");
    await op({ op: "put", key: "from-worker", value: "written by the Worker" });
    r = await tenant.wrangler(dir, ["kv", "key", "get", "from-worker", "--binding", "KV", "--remote"]);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain("written by the Worker");
  });

  it("lists with prefix and cursor over more than 1000 keys, in byte order", async () => {
    const pairs = Array.from({ length: 1100 }, (_, i) => ({ key: `item:${String(i).padStart(5, "0")}`, value: String(i) }));
    writeFileSync(join(dir, "bulk.json"), JSON.stringify(pairs));
    const r = await tenant.wrangler(dir, ["kv", "bulk", "put", "bulk.json", "--binding", "KV", "--remote"]);
    expect(r.code, r.output).toBe(0);
    const all = (await op({ op: "listAll", prefix: "item:" })).result;
    expect(all).toEqual({ count: 1100, pages: 2, first: "item:00000", last: "item:01099", sorted: true });
    const page = (await op({ op: "list", options: { prefix: "item:0005", limit: 5 } })).result;
    expect(page.keys.map((k: { name: string }) => k.name)).toEqual(["item:00050", "item:00051", "item:00052", "item:00053", "item:00054"]);
    expect(page.list_complete).toBe(false);
  });

  it("refuses every limit with the field named, writing nothing", async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ op: "put", key: "k", value: "v", options: { expirationTtl: 30 } }, /expiration_ttl/],
      [{ op: "put", key: "k", value: "v", options: { expiration: Math.floor(Date.now() / 1000) + 5 } }, /expiration/],
      [{ op: "put", key: "k", value: "v", options: { metadata: { x: "y".repeat(1100) } } }, /metadata/],
      [{ op: "put", key: "k".repeat(513), value: "v" }, /key length|414/],
      [{ op: "get", key: "greeting", options: { cacheTtl: 5 } }, /cache_ttl/],
      [{ op: "list", options: { limit: 1001 } }, /limit/],
    ];
    for (const [body, reason] of cases) {
      const res = await op(body);
      expect(res.ok, JSON.stringify(body).slice(0, 60)).toBe(false);
      expect(res.error).toMatch(reason);
    }
    expect((await op({ op: "get", key: "k" })).result).toBeNull();
  });

  it("isolation: tenant code cannot reach the gateway, with or without forged headers", async () => {
    const svc = JSON.parse(await kubectl(kube, ["-n", platform.namespace, "get", "service", "bindings-gateway", "-o", "json"]));
    const urls = [
      `http://bindings-gateway.${platform.namespace}.svc.cluster.local/kv/${id}/greeting`,
      `http://${svc.spec.clusterIP}/kv/${id}/greeting`,
      `http://${svc.spec.clusterIP}/kv/${otherId}/`,
    ];
    for (const url of urls) {
      const res = await op({ op: "rawFetch", url, headers: { authorization: "Bearer fwb1.x.y", "x-account": other.accountId } });
      expect(res.ok, `${url}: ${JSON.stringify(res.result)}`).toBe(false);
    }
    const put = await op({ op: "rawFetch", url: `http://${svc.spec.clusterIP}/kv/${otherId}/stolen?urlencoded=true`, method: "PUT", body: "x" });
    expect(put.ok).toBe(false);
    expect((await op({ op: "env" })).result).toEqual(["KV"]);
    const theirs = await other.wrangler(process.cwd(), ["kv", "key", "list", "--namespace-id", otherId, "--remote"]);
    expect(JSON.parse(theirs.output.slice(theirs.output.indexOf("[")))).toEqual([]);
  });

  it("isolation: a binding to another account's namespace is refused at upload, naming the binding; nothing is written", async () => {
    const stolen = writeProject(plainProject("thief", WORKER, `[[kv_namespaces]]\nbinding = "STOLEN"\nid = "${otherId}"\n`));
    const r = await tenant.wrangler(stolen, ["deploy"]);
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/10021/);
    expect(r.output).toContain("STOLEN");
    const versions = await kubectl(kube, ["-n", platform.namespace, "get", "workerversions", "-l", `api.cf-worker/account=${tenant.accountId},api.cf-worker/script=thief`, "-o", "name"]);
    expect(versions.trim()).toBe("");
  });

  it("a key put with a 60 s TTL disappears when it expires", async () => {
    await op({ op: "put", key: "short-lived", value: "soon gone", options: { expirationTtl: 60 } });
    expect((await op({ op: "get", key: "short-lived", options: { cacheTtl: 30 } })).result).toBe("soon gone");
    await eventually("the key to expire", async () => (await op({ op: "get", key: "short-lived", options: { cacheTtl: 30 } })).result === null, { timeoutMs: 150_000, intervalMs: 2_000 });
    const names = (await op({ op: "list", options: { prefix: "short" } })).result.keys;
    expect(names).toEqual([]);
  });
});
