// The KV contract: every `wrangler kv` command, run by the REAL wrangler (4.164 with --remote, and 3.114, remote by
// default) against two API processes (alternating), checking wrangler's output AND the WorkerKVNamespace objects
// and the S3 objects the commands leave.
import { mkdirSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kvNamespacePrefix } from "@fireworkers/storage";
import { objectName } from "@fireworkers/kv-store";
import { LABELS } from "@fireworkers/crd-types";
import { KINDS } from "@fireworkers/kube";
import type { TestEnvInfo } from "@fireworkers/testenv";
import { createKvNamespace, FIXTURE_KV_NAMESPACES, s3Get, s3Keys, setupAccounts, startApiProcess, wrangler, type ApiProcess } from "./harness.ts";

export function defineKvContractSuite(version: 3 | 4, env: TestEnvInfo): void {
  const namespace = `kv-contract-v${version}`;
  const account = "fedcba9876543210fedcba9876543210";
  const other = "0000000000000000000000000000beef";
  const remote = version === 4 ? ["--remote"] : [];
  // wrangler 3 prefixes the title with the Worker's name ("worker" outside a project).
  const title = version === 4 ? "cache" : "worker-cache";

  describe(`wrangler ${version === 4 ? "4.164" : "3.114"} kv contract`, () => {
    let ctx: Awaited<ReturnType<typeof setupAccounts>>;
    let replicas: ApiProcess[] = [];
    let turn = 0;
    let id = "";
    const dir = join(env.dir, `kv-project-v${version}-${randomBytes(3).toString("hex")}`);
    const run = (args: string[]) => wrangler({ version, env, cwd: dir, apiUrl: replicas[turn++ % replicas.length]!.url, token: ctx.tokens[account]!, accountId: account, args });
    const prefix = () => kvNamespacePrefix(account, id);
    const valueKey = (key: string) => `${prefix()}v/${objectName(key)}`;

    beforeAll(async () => {
      mkdirSync(dir, { recursive: true });
      ctx = await setupAccounts(env, namespace, [account, other]);
      replicas = await Promise.all([0, 1].map((i) => startApiProcess(env, namespace, `kv-api-v${version}-${i}-${Date.now()}`)));
    });
    afterAll(async () => {
      await Promise.all(replicas.map((r) => r.stop()));
    });

    it("kv namespace create: a WorkerKVNamespace of the account, with a 32-hex id; a duplicate title is 10014", async () => {
      const r = await run(["kv", "namespace", "create", "cache"]);
      expect(r.code, r.output).toBe(0);
      id = /([0-9a-f]{32})/.exec(r.output)![1]!;
      const ns = (await ctx.kube.get(KINDS.WorkerKVNamespace, id))!;
      expect(ns.spec).toEqual({ accountId: account, title });
      expect(ns.metadata.finalizers).toEqual(["api.cf-worker/s3-objects"]);
      expect(ns.metadata.ownerReferences?.[0]).toMatchObject({ kind: "WorkerAccount", name: account });
      const dup = await run(["kv", "namespace", "create", "cache"]);
      expect(dup.code).not.toBe(0);
      expect(dup.output).toMatch(/10014|already exists/);
      writeFileSync(join(dir, "wrangler.toml"), `name = "kv-user"\nmain = "index.js"\ncompatibility_date = "2025-01-01"\n\n[[kv_namespaces]]\nbinding = "CACHE"\nid = "${id}"\n`);
      writeFileSync(join(dir, "index.js"), "export default { fetch() { return new Response('ok') } }");
    });

    it("deploy binding another account's namespace: 10021 naming the binding, nothing written", async () => {
      const otherAccount = (await ctx.kube.get(KINDS.WorkerAccount, other))!;
      const theirs = "feedfacefeedfacefeedfacefeedface";
      await createKvNamespace(ctx.kube, otherAccount, theirs, "theirs");
      const thief = join(dir, "thief");
      mkdirSync(thief, { recursive: true });
      writeFileSync(join(thief, "wrangler.toml"), `name = "thief"\nmain = "index.js"\ncompatibility_date = "2025-01-01"\n\n[[kv_namespaces]]\nbinding = "STOLEN"\nid = "${theirs}"\n`);
      writeFileSync(join(thief, "index.js"), "export default { fetch() { return new Response('x') } }");
      const r = await wrangler({ version, env, cwd: thief, apiUrl: replicas[0]!.url, token: ctx.tokens[account]!, accountId: account, args: ["deploy"] });
      expect(r.code).not.toBe(0);
      expect(r.output).toContain("10021");
      expect(r.output).toContain("STOLEN");
      expect((await ctx.kube.list(KINDS.WorkerVersion, { labelSelector: { [LABELS.account]: account, [LABELS.script]: "thief" } })).items).toEqual([]);
      expect(await s3Keys(ctx.s3, env.s3.bucket, `accounts/${account}/scripts/thief/`)).toEqual([]);
    });

    it("kv namespace list: every namespace of the account (paged until empty)", async () => {
      const r = await run(["kv", "namespace", "list"]);
      expect(r.code, r.output).toBe(0);
      const list = JSON.parse(r.output.slice(r.output.indexOf("[")));
      // sorted by title (wrangler asks order=title); the fixtures' namespaces are the account's too (harness)
      const expected = [
        { id, title, supports_url_encoding: true },
        ...FIXTURE_KV_NAMESPACES.map((ns) => ({ id: ns, title: `fixture-${ns.slice(0, 6)}`, supports_url_encoding: true })),
      ].sort((a, b) => (a.title < b.title ? -1 : 1));
      expect(list).toEqual(expected);
    });

    it("kv key put/get by --namespace-id and --binding: the value, its S3 object, metadata and expiration", async () => {
      let r = await run(["kv", "key", "put", "greeting", "hello ☀", "--namespace-id", id, ...remote]);
      expect(r.code, r.output).toBe(0);
      expect((await s3Get(ctx.s3, env.s3.bucket, valueKey("greeting"))).toString()).toBe("hello ☀");
      r = await run(["kv", "key", "get", "greeting", "--binding", "CACHE", ...remote]);
      expect(r.code, r.output).toBe(0);
      expect(r.output).toContain("hello ☀");

      r = await run(["kv", "key", "put", "with/meta", "v", "--binding", "CACHE", "--metadata", '{"owner":"ops"}', "--ttl", "3600", ...remote]);
      expect(r.code, r.output).toBe(0);
      const head = await ctx.s3.send(new HeadObjectCommand({ Bucket: env.s3.bucket, Key: valueKey("with/meta") }));
      expect(Buffer.from(head.Metadata!["kv-metadata"]!, "base64url").toString()).toBe('{"owner":"ops"}');
      expect(Number(head.Metadata!["kv-expiration"])).toBeGreaterThan(Date.now() / 1000 + 3500);

      const file = join(dir, "blob.bin");
      const blob = randomBytes(3 * 1024 * 1024 + 17);
      writeFileSync(file, blob);
      r = await run(["kv", "key", "put", "blob", "--path", file, "--namespace-id", id, ...remote]);
      expect(r.code, r.output).toBe(0);
      expect((await s3Get(ctx.s3, env.s3.bucket, valueKey("blob"))).equals(blob)).toBe(true);
      r = await run(["kv", "key", "put", "blob-meta", "--path", file, "--metadata", '{"kind":"file"}', "--namespace-id", id, ...remote]);
      expect(r.code, r.output).toBe(0);
      expect((await s3Get(ctx.s3, env.s3.bucket, valueKey("blob-meta"))).equals(blob)).toBe(true);
    });

    it("kv key list: keys in byte order with metadata and expiration; prefix", async () => {
      let r = await run(["kv", "key", "list", "--namespace-id", id, ...remote]);
      expect(r.code, r.output).toBe(0);
      const keys = JSON.parse(r.output.slice(r.output.indexOf("[")));
      expect(keys.map((k: { name: string }) => k.name)).toEqual(["blob", "blob-meta", "greeting", "with/meta"]);
      expect(keys[3]).toMatchObject({ name: "with/meta", metadata: { owner: "ops" }, expiration: expect.any(Number) });
      r = await run(["kv", "key", "list", "--namespace-id", id, "--prefix", "blob", ...remote]);
      expect(JSON.parse(r.output.slice(r.output.indexOf("["))).map((k: { name: string }) => k.name)).toEqual(["blob", "blob-meta"]);
    });

    it("kv key delete: the S3 object is gone; get of a missing key fails", async () => {
      let r = await run(["kv", "key", "delete", "greeting", "--namespace-id", id, ...remote]);
      expect(r.code, r.output).toBe(0);
      expect((await s3Keys(ctx.s3, env.s3.bucket, prefix())).includes(valueKey("greeting"))).toBe(false);
      r = await run(["kv", "key", "get", "greeting", "--namespace-id", id, ...remote]);
      expect(version === 4 ? r.output : r.output + r.code).toMatch(/404|not found|Value not found/i);
    });

    it("kv bulk put / get / delete", async () => {
      const pairs: { key: string; value: string; base64?: boolean }[] = Array.from({ length: 1500 }, (_, i) => ({ key: `bulk:${String(i).padStart(4, "0")}`, value: `v${i}` }));
      pairs.push({ key: "bulk:b64", value: Buffer.from([0, 1, 2, 255]).toString("base64"), base64: true });
      writeFileSync(join(dir, "bulk.json"), JSON.stringify(pairs));
      let r = await run(["kv", "bulk", "put", "bulk.json", "--namespace-id", id, ...remote]);
      expect(r.code, r.output).toBe(0);
      expect((await s3Keys(ctx.s3, env.s3.bucket, `${prefix()}v/`)).length).toBe(3 + 1501);
      expect(await s3Get(ctx.s3, env.s3.bucket, valueKey("bulk:b64"))).toEqual(Buffer.from([0, 1, 2, 255]));
      if (version === 4) {
        writeFileSync(join(dir, "get.json"), JSON.stringify(["bulk:0001", "bulk:0002", "nope"]));
        r = await run(["kv", "bulk", "get", "get.json", "--namespace-id", id, ...remote]);
        expect(r.code, r.output).toBe(0);
        expect(JSON.parse(r.output.slice(r.output.indexOf("{")))).toEqual({ "bulk:0001": "v1", "bulk:0002": "v2", nope: null });
      }
      writeFileSync(join(dir, "delete.json"), JSON.stringify(pairs.map((p) => p.key)));
      r = await run(["kv", "bulk", "delete", "delete.json", "--namespace-id", id, "--force", ...remote]);
      expect(r.code, r.output).toBe(0);
      expect((await s3Keys(ctx.s3, env.s3.bucket, `${prefix()}v/`)).length).toBe(3);
    });

    it("refuses every limit with Cloudflare's code and the field named, writing nothing", async () => {
      const before = await s3Keys(ctx.s3, env.s3.bucket, prefix());
      const cases: [string[], RegExp][] = [
        [["kv", "key", "put", "x".repeat(513), "v", "--namespace-id", id, ...remote], /10034|key/],
        [["kv", "key", "put", "k", "v", "--ttl", "30", "--namespace-id", id, ...remote], /10033.*expiration_ttl|expiration_ttl/],
        [["kv", "key", "put", "k", "v", "--metadata", JSON.stringify({ x: "y".repeat(1100) }), "--namespace-id", id, ...remote], /10035|metadata/],
        [["kv", "key", "put", "k", "v", "--namespace-id", "0".repeat(32), ...remote], /10013|namespace/],
      ];
      for (const [args, reason] of cases) {
        const r = await run(args);
        expect(r.code, args.join(" ")).not.toBe(0);
        expect(r.output).toMatch(reason);
      }
      expect(await s3Keys(ctx.s3, env.s3.bucket, prefix())).toEqual(before);
    });

    if (version === 4) {
      it("kv namespace rename: the title changes, the id stays", async () => {
        const r = await run(["kv", "namespace", "rename", "cache", "--new-name", "cache-2"]);
        expect(r.code, r.output).toBe(0);
        expect(((await ctx.kube.get(KINDS.WorkerKVNamespace, id))!).spec.title).toBe("cache-2");
        await run(["kv", "namespace", "rename", "cache-2", "--new-name", "cache"]);
      });
    }

    it("kv namespace delete: the object is marked for deletion (the operator's finalizer removes the data) and is gone for the API", async () => {
      const r = await run(["kv", "namespace", "delete", "--namespace-id", id, ...(version === 4 ? ["--skip-confirmation"] : [])]);
      expect(r.code, r.output).toBe(0);
      const ns = await ctx.kube.get(KINDS.WorkerKVNamespace, id);
      expect(ns?.metadata.deletionTimestamp).toBeDefined();
      const list = await run(["kv", "namespace", "list"]);
      expect(JSON.parse(list.output.slice(list.output.indexOf("["))).map((n: { id: string }) => n.id)).toEqual(FIXTURE_KV_NAMESPACES);
    });
  });
}
