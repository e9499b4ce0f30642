// Tokens are per account: a token of account B gets 10000 on every route of account A, a missing or
// unknown token gets 10000 everywhere, and nothing of A is read or changed by B.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { LABELS, workerScriptName } from "@fireworkers/crd-types";
import { REPO_ROOT } from "@fireworkers/testenv";
import { tokenHash, tokenSecretName } from "./domain/tokens.ts";
import { zoneId } from "./domain/zones.ts";
import { KINDS, type Kind } from "@fireworkers/kube";
import { FIXTURE_KV_NAMESPACES, setupAccounts, startApiInProcess } from "./test/harness.ts";
import { call, helloModule, uploadForm } from "./test/requests.ts";

const env = inject("env");
const namespace = "api-auth";
const A = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const B = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

describe("API tokens", () => {
  let ctx: Awaited<ReturnType<typeof setupAccounts>>;
  let api: Awaited<ReturnType<typeof startApiInProcess>>;
  let versionId: string;

  /** Everything of account A, to compare before and after B's attempts. */
  const snapshotA = async () => {
    const out: string[] = [];
    const kinds: Kind[] = [KINDS.WorkerScript, KINDS.WorkerVersion, KINDS.WorkerDeployment, KINDS.WorkerKVNamespace];
    for (const kind of kinds) {
      for (const o of (await ctx.kube.list(kind, { labelSelector: { [LABELS.account]: A } })).items) out.push(`${kind.kind}/${o.metadata?.name}@${o.metadata?.resourceVersion}`);
    }
    for (const o of (await ctx.kube.list(KINDS.Secret, { labelSelector: { [LABELS.account]: A } })).items) out.push(`Secret/${o.metadata?.name}@${o.metadata?.resourceVersion}`);
    return out.sort();
  };

  beforeAll(async () => {
    ctx = await setupAccounts(env, namespace, [A, B]);
    api = await startApiInProcess(env, namespace);
    const up = await call(api.url, "PUT", `/accounts/${A}/workers/scripts/victim`, {
      token: ctx.tokens[A],
      body: uploadForm({ main_module: "index.js", bindings: [], compatibility_date: "2025-01-01" }, [helloModule]),
    });
    expect(up.body.success, JSON.stringify(up.body)).toBe(true);
    versionId = (up.body.result as { deployment_id: string }).deployment_id;
    expect((await call(api.url, "PUT", `/accounts/${A}/workers/scripts/victim/secrets`, { token: ctx.tokens[A], json: { name: "API_KEY", text: "a-secret", type: "secret_text" } })).body.success).toBe(true);
    expect((await call(api.url, "PUT", `/accounts/${A}/workers/scripts/victim/routes`, { token: ctx.tokens[A], json: [{ pattern: "a.example.com/*", zone_name: "example.com" }] })).body.success).toBe(true);
  });
  afterAll(async () => api?.close());

  const concrete = (url: string) =>
    url
      .replace("/client/v4", "")
      .replace(":accountId", A)
      .replace(":scriptName", "victim")
      .replace(":versionId", versionId)
      .replace(":secretName", "API_KEY")
      .replace(":namespaceId", FIXTURE_KV_NAMESPACES[0]!)
      .replace(":keyName", "k")
      .replace(":zoneId", zoneId(A, "example.com"));

  /** A body each route would accept from A's own token: B must be refused for who it is, not for what it sends. */
  const bodyFor = (method: string, url: string): { json?: unknown; body?: RequestInit["body"] } => {
    if (url.endsWith("/scripts/:scriptName") && method === "PUT") return { body: uploadForm({ main_module: "index.js" }, [helloModule]) };
    if (url.endsWith("/versions") && method === "POST") return { body: uploadForm({ main_module: "index.js" }, [helloModule]) };
    if (url.endsWith("/deployments")) return { json: { strategy: "percentage", versions: [{ version_id: versionId, percentage: 100 }] } };
    if (url.endsWith("/secrets")) return { json: { name: "API_KEY", text: "stolen", type: "secret_text" } };
    if (url.endsWith("/secrets-bulk")) return { json: { secrets: { API_KEY: null } } };
    if (url.endsWith("/settings") && method === "PATCH") return { body: uploadForm(undefined, []) };
    if (url.endsWith("/routes") && method === "PUT") return { json: [] };
    if (url.endsWith("/schedules")) return { json: [] };
    if (url.endsWith("/subdomain") && method === "POST") return { json: { enabled: false } };
    if (url.endsWith("/script-settings")) return { json: { tags: ["stolen"] } };
    if (url.endsWith("/workers/routes") && method === "POST") return { json: { pattern: "x.example.com/*", script: "victim" } };
    if (url.endsWith("/storage/kv/namespaces") && method === "POST") return { json: { title: "stolen" } };
    if (url.endsWith("/storage/kv/namespaces/:namespaceId") && method === "PUT") return { json: { title: "stolen" } };
    if (url.endsWith("/bulk") && method === "PUT") return { json: [{ key: "k", value: "stolen" }] };
    if (url.endsWith("/bulk") || url.endsWith("/bulk/delete")) return { json: ["k"] };
    if (url.endsWith("/bulk/get")) return { json: { keys: ["k"] } };
    if (url.endsWith("/values/:keyName") && method === "PUT") return { body: "stolen" };
    return {};
  };

  it("covers every route of the API", () => {
    expect(api.app.apiRoutes.length).toBe(50);
    expect(api.app.apiRoutes.every((r) => r.auth !== "none")).toBe(true);
  });

  it("refuses a missing or unknown token with 10000 on every route", async () => {
    for (const route of api.app.apiRoutes) {
      for (const token of [undefined, "fwk_not-a-token", ctx.tokens[A]!.slice(0, -1)]) {
        const res = await call(api.url, route.method, concrete(route.url), { token, ...bodyFor(route.method, route.url) });
        expect([route.method, route.url, res.status, res.body.errors]).toEqual([route.method, route.url, 401, [{ code: 10000, message: "Authentication error" }]]);
      }
    }
  });

  it("refuses account B's token with 10000 on every route of account A, and A is unchanged", async () => {
    const before = await snapshotA();
    const accountRoutes = api.app.apiRoutes.filter((r) => r.auth === "account");
    expect(accountRoutes.length).toBe(43);
    for (const route of accountRoutes) {
      const res = await call(api.url, route.method, concrete(route.url), { token: ctx.tokens[B], ...bodyFor(route.method, route.url) });
      expect([route.method, route.url, res.status, res.body.errors]).toEqual([route.method, route.url, 403, [{ code: 10000, message: "Authentication error" }]]);
    }
    expect(await snapshotA()).toEqual(before);
  });

  it("shows account B's token nothing of A on the token-wide routes (user, accounts, memberships, zones)", async () => {
    const before = await snapshotA();
    const tokenRoutes = api.app.apiRoutes.filter((r) => r.auth === "token").map((r) => `${r.method} ${r.url}`);
    expect(tokenRoutes.sort()).toEqual(
      ["GET /client/v4/user/tokens/verify", "GET /client/v4/user", "GET /client/v4/accounts", "GET /client/v4/memberships", "GET /client/v4/zones", "GET /client/v4/zones/:zoneId/workers/routes", "POST /client/v4/zones/:zoneId/workers/routes"].sort(),
    );
    const t = ctx.tokens[B];
    expect((await call(api.url, "GET", "/accounts", { token: t })).body.result).toEqual([expect.objectContaining({ id: B })]);
    expect((await call(api.url, "GET", "/memberships", { token: t })).body.result).toEqual([expect.objectContaining({ account: expect.objectContaining({ id: B }) })]);
    expect((await call(api.url, "GET", `/zones?name=example.com&account.id=${A}`, { token: t })).body.errors).toEqual([{ code: 10000, message: "Authentication error" }]);
    expect((await call(api.url, "GET", `/zones/${zoneId(A, "example.com")}/workers/routes`, { token: t })).body.result).toEqual([]);
    // A's own token does see the route it made.
    expect((await call(api.url, "GET", `/zones/${zoneId(A, "example.com")}/workers/routes`, { token: ctx.tokens[A] })).body.result).toEqual([
      expect.objectContaining({ pattern: "a.example.com/*", script: "victim" }),
    ]);
    const post = await call(api.url, "POST", `/zones/${zoneId(A, "example.com")}/workers/routes`, { token: t, json: { pattern: "x.example.com/*", script: "victim" } });
    expect(post.body.errors[0]!.code).toBe(10007);
    expect(await snapshotA()).toEqual(before);
  });

  it("a token for two accounts works on both", async () => {
    const { token } = await new (await import("./store/tokens.ts")).Tokens(ctx.kube).issue({ accounts: [A, B] });
    for (const acc of [A, B]) expect((await call(api.url, "GET", `/accounts/${acc}/workers/subdomain`, { token })).body).toMatchObject({ success: true, result: { subdomain: acc } });
  });

  it("the issue-token CLI creates the account, prints the token once and stores only its hash", async () => {
    const { stdout } = await promisify(execFile)(env.tools.node, [join(REPO_ROOT, "apps/fake-cf-api/src/cli/issue-token.ts"), "--account", "cccccccccccccccccccccccccccccccc", "--create-account", "--email", "ops@example.com"], {
      env: { ...process.env, KUBECONFIG: env.kube.kubeconfig, NAMESPACE: namespace },
    });
    const token = stdout.trim();
    expect(token).toMatch(/^fwk_/);
    const secret = await ctx.kube.get(KINDS.Secret, tokenSecretName(tokenHash(token)));
    expect(secret!.type).toBe("api.cf-worker/token");
    const stored = Object.values(secret!.data ?? {}).map((v) => Buffer.from(v, "base64").toString());
    expect(stored).toContain(tokenHash(token));
    expect(stored.join()).not.toContain(token);
    expect(await ctx.kube.get(KINDS.WorkerAccount, "cccccccccccccccccccccccccccccccc")).toBeDefined();
    const me = await call(api.url, "GET", "/user", { token });
    expect(me.body.result).toMatchObject({ email: "ops@example.com" });
    // An account named in no token stays out of reach of this one.
    expect((await call(api.url, "GET", `/accounts/${A}/workers/scripts`, { token })).status).toBe(403);
  });

  it("the script of A is still intact for A", async () => {
    const res = await call(api.url, "GET", `/accounts/${A}/workers/services/victim`, { token: ctx.tokens[A] });
    expect(res.body.success).toBe(true);
    expect(await ctx.kube.get(KINDS.WorkerScript, workerScriptName(A, "victim"))).toBeDefined();
    const secrets = await call(api.url, "GET", `/accounts/${A}/workers/scripts/victim/secrets`, { token: ctx.tokens[A] });
    expect(secrets.body.result).toEqual([{ name: "API_KEY", type: "secret_text" }]);
  });
});
