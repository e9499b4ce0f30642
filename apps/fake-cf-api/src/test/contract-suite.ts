// The wrangler contract: every command of the issue, run by the REAL wrangler CLI (4.x pinned, or 3.114)
// against two API replicas that are real processes (commands alternate between them, and both are
// restarted mid-suite), checking wrangler's output AND what ended up in Kubernetes and S3.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scriptSecretName, workerScriptName } from "@fireworkers/crd-types";
import type { TestEnvInfo } from "@fireworkers/testenv";
import { KINDS } from "@fireworkers/kube";
import {
  copyFixture,
  FIXTURES,
  listFor,
  OWN_FIXTURES,
  s3Get,
  s3Keys,
  setupAccounts,
  startApiProcess,
  UUID,
  wrangler,
  type ApiProcess,
} from "./harness.ts";


export function defineContractSuite(version: 3 | 4, env: TestEnvInfo): void {
  const namespace = `contract-v${version}`;
  const account = "0123456789abcdef0123456789abcdef";
  const script = "my-worker";
  const secretValue = `s3cr3t-${version}-${Date.now()}`;

  describe(`wrangler ${version === 4 ? "4.164" : "3.114"} contract`, () => {
    let ctx: Awaited<ReturnType<typeof setupAccounts>>;
    let replicas: ApiProcess[] = [];
    let turn = 0;
    const w1 = copyFixture(FIXTURES, "w1");
    const w1req = copyFixture(FIXTURES, "w1req");
    const w2 = copyFixture(FIXTURES, "w2");
    const multi = copyFixture(OWN_FIXTURES, "multi");
    const ids: Record<string, string> = {};

    const startReplicas = async () => {
      replicas = await Promise.all([0, 1].map((i) => startApiProcess(env, namespace, `fake-cf-api-v${version}-${i}-${Date.now()}`)));
    };
    /** One wrangler command, on the next replica. */
    const run = (cwd: string, args: string[], input?: string) =>
      wrangler({ version, env, cwd, apiUrl: replicas[turn++ % replicas.length]!.url, token: ctx.tokens[account]!, accountId: account, args, input });
    const versions = async (name = script) => (await listFor(ctx.kube, KINDS.WorkerVersion, account, name)).filter((v) => !v.metadata.deletionTimestamp);
    const deployments = async (name = script) =>
      (await listFor(ctx.kube, KINDS.WorkerDeployment, account, name)).sort((a, b) => (b.spec.number ?? 0) - (a.spec.number ?? 0));
    const secretData = async () => {
      const s = await ctx.kube.get(KINDS.Secret, scriptSecretName(account, script));
      return Object.fromEntries(Object.entries(s?.data ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64").toString()]));
    };

    beforeAll(async () => {
      ctx = await setupAccounts(env, namespace, [account]);
      await startReplicas();
    });
    afterAll(async () => {
      await Promise.all(replicas.map((r) => r.stop()));
    });

    it("whoami shows the token's email and account", async () => {
      const r = await run(w1, ["whoami"]);
      expect(r.code, r.output).toBe(0);
      expect(r.output).toContain("associated with the email owner-012345@fireworkers.local");
      expect(r.output).toContain(account);
    });

    it("deploy (new Worker): PUT script, version + deployment at 100% in Kubernetes, modules in S3 with their sha256", async () => {
      const r = await run(w1, ["deploy"]);
      expect(r.code, r.output).toBe(0);
      expect(r.output).toContain(`Uploaded ${script}`);
      expect(r.output).toContain(`https://${script}.${account}.workers.dev`);
      ids.first = r.output.match(new RegExp(`Current Version ID: (${UUID.source})`))![1]!;

      const [v] = await versions();
      expect(v!.metadata.name).toBe(ids.first);
      expect(v!.metadata.finalizers).toEqual(["api.cf-worker/s3-objects"]);
      expect(v!.spec).toMatchObject({ accountId: account, scriptName: script, number: 1, mainModule: "index.js", compatibilityDate: "2025-01-01", compatibilityFlags: ["nodejs_compat"] });
      expect(v!.spec.bindings).toEqual([
        { name: "GREETING", type: "plain_text", text: "hello" },
        { name: "LEVEL", type: "plain_text", text: "debug" },
        { name: "MY_KV", type: "kv_namespace", namespace_id: "0f2ac74b498b48028cb68387c421e279" },
        { name: "OTHER", type: "service", service: "other-worker" },
      ]);
      expect(v!.spec.modules.map((m) => [m.name, m.type])).toEqual(version === 4 ? [["index.js", "esm"], ["index.js.map", "sourcemap"]] : [["index.js", "esm"]]);
      const prefix = `accounts/${account}/scripts/${script}/versions/${ids.first}/`;
      expect(v!.spec.storage).toEqual({ bucket: env.s3.bucket, prefix });
      expect(await s3Keys(ctx.s3, env.s3.bucket, prefix)).toEqual([`${prefix}metadata.json`, ...v!.spec.modules.map((m) => `${prefix}modules/${m.name}`)].sort());
      for (const m of v!.spec.modules) {
        const bytes = await s3Get(ctx.s3, env.s3.bucket, `${prefix}modules/${m.name}`);
        expect(bytes.length).toBe(m.size);
        expect(createHash("sha256").update(bytes).digest("hex")).toBe(m.sha256);
      }
      const [d] = await deployments();
      expect(d!.spec).toMatchObject({ number: 1, versions: [{ versionId: ids.first, percentage: 100 }], annotations: { "workers/triggered_by": "upload" } });
      const ws = await ctx.kube.get(KINDS.WorkerScript, workerScriptName(account, script));
      expect(ws!.spec.workersDev).toEqual({ enabled: true, previewsEnabled: true });
    });

    it("deploy (existing Worker): POST versions + POST deployments, the new deployment in force", async () => {
      const args = version === 4 ? ["deploy", "--message", "second deploy", "--tag", "v2"] : ["deploy"];
      const r = await run(w1, args);
      expect(r.code, r.output).toBe(0);
      ids.second = r.output.match(new RegExp(`Current Version ID: (${UUID.source})`))![1]!;
      const v = (await versions()).find((x) => x.metadata.name === ids.second)!;
      expect(v.spec.number).toBe(2);
      if (version === 4) expect(v.spec.annotations).toMatchObject({ "workers/message": "second deploy", "workers/tag": "v2", "workers/triggered_by": "version_upload" });
      const [d] = await deployments();
      expect(d!.spec.versions).toEqual([{ versionId: ids.second, percentage: 100 }]);
    });

    it("nothing changes for wrangler when both API replicas restart", async () => {
      await Promise.all(replicas.map((r) => r.stop()));
      await startReplicas();
      const r = await run(w1, ["deployments", "status"]);
      expect(r.code, r.output).toBe(0);
      expect(r.output).toContain(ids.second);
    });

    it("secret put stores the value in the script's Secret only, as a new version deployed at 100%", async () => {
      const r = await run(w1, ["secret", "put", "API_KEY"], `${secretValue}\n`);
      expect(r.code, r.output).toBe(0);
      expect(r.output).toContain("Success! Uploaded secret API_KEY");
      expect(await secretData()).toEqual({ API_KEY: secretValue });
      const [latest] = (await versions()).sort((a, b) => b.spec.number - a.spec.number);
      expect(latest!.spec.bindings).toContainEqual({ name: "API_KEY", type: "secret_text" });
      expect(JSON.stringify(latest)).not.toContain(secretValue);
      const [d] = await deployments();
      expect(d!.spec).toMatchObject({ versions: [{ versionId: latest!.metadata.name, percentage: 100 }], annotations: { "workers/triggered_by": "secret" } });
      // The new version reuses the code, copied inside S3.
      const keys = await s3Keys(ctx.s3, env.s3.bucket, latest!.spec.storage.prefix);
      expect(keys).toContain(`${latest!.spec.storage.prefix}modules/index.js`);
      ids.afterSecret = latest!.metadata.name;
    });

    it("secret list returns names and types, never values", async () => {
      const r = await run(w1, ["secret", "list"]);
      expect(r.code, r.output).toBe(0);
      expect(JSON.parse(r.output.slice(r.output.indexOf("["), r.output.lastIndexOf("]") + 1))).toEqual([{ name: "API_KEY", type: "secret_text" }]);
      expect(r.output).not.toContain(secretValue);
    });

    it("secret bulk adds several secrets at once", async () => {
      const r = await run(w1, ["secret", "bulk", "../secrets.json"]);
      expect(r.code, r.output).toBe(0);
      expect(await secretData()).toEqual({ API_KEY: secretValue, DB_PASSWORD: "pw1", TOKEN_B: "tb" });
    });

    it("secret delete removes one secret", async () => {
      const r = await run(w1, ["secret", "delete", "TOKEN_B"]);
      expect(r.code, r.output).toBe(0);
      expect(r.output).toContain("Success! Deleted secret TOKEN_B");
      expect(Object.keys(await secretData()).sort()).toEqual(["API_KEY", "DB_PASSWORD"]);
    });

    it("no secret value reached S3 or the API logs", async () => {
      for (const key of await s3Keys(ctx.s3, env.s3.bucket, `accounts/${account}/`)) {
        const text = (await s3Get(ctx.s3, env.s3.bucket, key)).toString("latin1");
        expect(text.includes(secretValue) || text.includes("pw1"), key).toBe(false);
      }
      for (const r of replicas) expect(readFileSync(r.logFile, "utf8")).not.toContain(secretValue);
    });

    it("deployments list and status show the history newest last / the one in force", async () => {
      const list = await run(w1, ["deployments", "list"]);
      expect(list.code, list.output).toBe(0);
      expect(list.output).toContain("Source:      Upload");
      expect(list.output).toContain("Source:      Secret Change");
      expect(list.output).toContain(ids.first);
      const status = await run(w1, ["deployments", "status"]);
      expect(status.code, status.output).toBe(0);
      const [d] = await deployments();
      expect(status.output).toContain(d!.spec.versions[0]!.versionId);
    });

    it("versions upload makes a version without deploying it", async () => {
      const before = (await deployments())[0]!.metadata.name;
      const r = await run(w1, ["versions", "upload", "--message", "canary build", "--tag", "v9"]);
      expect(r.code, r.output).toBe(0);
      ids.uploaded = r.output.match(new RegExp(`Worker Version ID: (${UUID.source})`))![1]!;
      const v = (await versions()).find((x) => x.metadata.name === ids.uploaded)!;
      expect(v.spec.annotations).toMatchObject({ "workers/message": "canary build", "workers/tag": "v9", "workers/triggered_by": "version_upload" });
      // Secrets stay bound in the new version.
      expect(v.spec.bindings).toContainEqual({ name: "API_KEY", type: "secret_text" });
      expect((await deployments())[0]!.metadata.name).toBe(before);
    });

    it("secret put is refused with 10215 while the latest version is not deployed", async () => {
      const count = (await versions()).length;
      const r = await run(w1, ["secret", "put", "LATE"], "x\n");
      expect(r.code).not.toBe(0);
      expect(r.output).toContain("Secret edit failed");
      expect((await versions()).length).toBe(count);
      expect(Object.keys(await secretData())).not.toContain("LATE");
    });

    it("versions list and versions view show the uploaded version", async () => {
      const list = await run(w1, ["versions", "list"]);
      expect(list.code, list.output).toBe(0);
      expect(list.output).toContain(ids.uploaded);
      const view = await run(w1, ["versions", "view", ids.uploaded!]);
      expect(view.code, view.output).toBe(0);
      expect(view.output).toMatch(/Tag:\s+v9/);
      expect(view.output).toMatch(/Message:\s+canary build/);
      expect(view.output).toContain("API_KEY");
      expect(view.output).not.toContain(secretValue);
    });

    it("versions deploy splits traffic between two versions", async () => {
      const r = await run(w1, ["versions", "deploy", `${ids.afterSecret}@10%`, `${ids.uploaded}@90%`, "--message", "canary 10%", "--yes"]);
      expect(r.code, r.output).toBe(0);
      expect(r.output).toContain(`version ${ids.afterSecret} at 10% and version ${ids.uploaded} at 90%`);
      const [d] = await deployments();
      expect(d!.spec.versions).toEqual([
        { versionId: ids.afterSecret, percentage: 10 },
        { versionId: ids.uploaded, percentage: 90 },
      ]);
      expect(d!.spec.annotations).toMatchObject({ "workers/message": "canary 10%", "workers/triggered_by": "deployment" });
    });

    it("deploy after a split deploys the new version at 100%", async () => {
      const r = await run(w1, ["deploy"]);
      expect(r.code, r.output).toBe(0);
      ids.afterSplit = r.output.match(new RegExp(`Current Version ID: (${UUID.source})`))![1]!;
      expect((await deployments())[0]!.spec.versions).toEqual([{ versionId: ids.afterSplit, percentage: 100 }]);
    });

    it("rollback to a version older than the secrets goes through the 10220 confirm-and-force flow", async () => {
      const r = await run(w1, ["rollback", ids.first!, "--message", "back to the start", "--yes"]);
      expect(r.code, r.output).toBe(0);
      expect(r.output).toContain(`The following secrets have changed since version ${ids.first} was deployed`);
      expect(r.output).toContain("* API_KEY");
      expect(r.output).toContain(`Worker Version ${ids.first} has been deployed to 100% of traffic`);
      const [d] = await deployments();
      expect(d!.spec).toMatchObject({
        versions: [{ versionId: ids.first, percentage: 100 }],
        annotations: { "workers/triggered_by": "rollback", "workers/message": "back to the start" },
      });
    });

    it("deployment history stays bounded (10 by default) and keeps the one in force", async () => {
      const before = (await deployments())[0]!.spec.number!;
      for (let i = 0; i < 4; i++) expect((await run(w1, ["deploy"])).code).toBe(0);
      const numbers = (await deployments()).map((d) => d.spec.number!);
      // More than 10 were made; the newest 10 are left, the newest first.
      expect(before + 4).toBeGreaterThan(10);
      expect(numbers).toEqual(Array.from({ length: 10 }, (_, i) => before + 4 - i));
    });

    if (version === 4) {
      it("secrets.required: deploy passes while they exist, and fails with 10057 once one is gone, leaving nothing behind", async () => {
        expect((await run(w1req, ["deploy"])).code).toBe(0);
        expect((await run(w1, ["secret", "delete", "DB_PASSWORD"])).code).toBe(0);
        const count = (await versions()).length;
        const objects = (await s3Keys(ctx.s3, env.s3.bucket, `accounts/${account}/scripts/${script}/`)).length;
        const r = await run(w1req, ["deploy"]);
        expect(r.code).not.toBe(0);
        expect(r.output).toContain("The following required secrets have not been set: DB_PASSWORD");
        expect((await versions()).length).toBe(count);
        expect((await s3Keys(ctx.s3, env.s3.bucket, `accounts/${account}/scripts/${script}/`)).length).toBe(objects);
      });
    }

    it("deploy of a wasm + extra-module Worker with routes and workers_dev=false records modules and routes", async () => {
      const r = await run(w2, ["deploy"]);
      expect(r.code, r.output).toBe(0);
      expect(r.output).toContain("api.example.com/* (zone name: example.com)");
      expect(r.output).toContain("example.com/other/*");
      const [v] = await versions("other-worker");
      const types = Object.fromEntries(v!.spec.modules.map((m) => [m.name, m.type]));
      expect(types).toMatchObject({ "index.js": "esm", "add.wasm": "wasm", "lib.js": "esm" });
      expect(v!.spec.modules.find((m) => m.name === "add.wasm")!.size).toBe(readFileSync(join(FIXTURES, "w2/src/add.wasm")).length);
      expect(v!.spec.bindings).toContainEqual({ name: "CONFIG", type: "json", json: { a: 1, b: [true, null] } });
      const ws = await ctx.kube.get(KINDS.WorkerScript, workerScriptName(account, "other-worker"));
      expect(ws!.spec.routes).toEqual([{ pattern: "api.example.com/*", zoneName: "example.com" }, { pattern: "example.com/other/*" }]);
      expect(ws!.spec.workersDev?.enabled).toBe(false);
      // A second deploy finds its own routes in the zone and deploys again.
      expect((await run(w2, ["deploy"])).code).toBe(0);
    });

    it("deploy of a multi-module Worker stores nested ES, text, data and wasm modules", async () => {
      const r = await run(multi, ["deploy"]);
      expect(r.code, r.output).toBe(0);
      const [v] = await versions("multi-worker");
      const types = Object.fromEntries(v!.spec.modules.map((m) => [m.name, m.type]));
      expect(types).toMatchObject({ "index.js": "esm", "lib/a.js": "esm", "lib/b.js": "esm", "greeting.txt": "text", "blob.bin": "data", "add.wasm": "wasm" });
      const text = await s3Get(ctx.s3, env.s3.bucket, `${v!.spec.storage.prefix}modules/greeting.txt`);
      expect(text.toString()).toBe("hello from a text module\n");
    });

    it("delete removes the Worker: script, deployments and secrets gone, versions left to the operator's finalizer", async () => {
      const r = await run(w1, ["delete"]);
      expect(r.code, r.output).toBe(0);
      expect(r.output).toContain(`Successfully deleted ${script}`);
      expect(await ctx.kube.get(KINDS.WorkerScript, workerScriptName(account, script))).toBeUndefined();
      expect(await ctx.kube.get(KINDS.Secret, scriptSecretName(account, script))).toBeUndefined();
      expect(await deployments()).toEqual([]);
      for (const v of await listFor(ctx.kube, KINDS.WorkerVersion, account, script)) expect(v.metadata.deletionTimestamp).toBeTruthy();
      const again = await run(w1, ["delete"]);
      expect(again.code).not.toBe(0);
      expect(again.output).toContain("10090");
    });

    it("deploy of the same name afterwards is a new Worker, with secrets from --secrets-file", async () => {
      const args = version === 4 ? ["deploy", "--secrets-file", "../secrets.env"] : ["deploy"];
      const r = await run(w1, args);
      expect(r.code, r.output).toBe(0);
      const [v] = await versions();
      expect(v!.spec.number).toBe(1);
      expect((await deployments()).length).toBe(1);
      if (version === 4) {
        expect(await secretData()).toEqual({ SECRET_A: "alpha", SECRET_B: "beta" });
        expect(v!.spec.bindings).toContainEqual({ name: "SECRET_A", type: "secret_text" });
      }
    });
  });
}
