// When the apiserver refuses a write in the middle of an upload (here: RBAC lets the API read everything
// but not create WorkerVersions), the client gets a 5xx envelope, wrangler's cue to retry, and nothing
// half-done stays visible: the modules already streamed to S3 are deleted and no WorkerVersion or
// deployment points at them.
import { KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { API_VERSION, LABELS } from "@fireworkers/crd-types";
import { join } from "node:path";
import { kubectl, REPO_ROOT } from "@fireworkers/testenv";
import { Kube, type Obj } from "./store/kube.ts";
import { s3Keys, setupAccounts, startApiInProcess } from "./test/harness.ts";
import { call, helloModule, uploadForm } from "./test/requests.ts";

const env = inject("env");
const namespace = "api-apiserver-failure";
const acc = "ffffffffffffffffffffffffffffffff";

describe("an apiserver failure in the middle of an upload", () => {
  let ctx: Awaited<ReturnType<typeof setupAccounts>>;
  let api: Awaited<ReturnType<typeof startApiInProcess>>;
  let limited: Awaited<ReturnType<typeof startApiInProcess>>;

  beforeAll(async () => {
    ctx = await setupAccounts(env, namespace, [acc]);
    api = await startApiInProcess(env, namespace);
    const rules = [
      { apiGroups: [""], resources: ["secrets"], verbs: ["get", "list", "create", "update", "delete"] },
      { apiGroups: ["api.cf-worker"], resources: ["workeraccounts"], verbs: ["get", "list"] },
      { apiGroups: ["api.cf-worker"], resources: ["workerscripts"], verbs: ["get", "list", "create", "update", "patch", "delete"] },
      // No "create" on workerversions: the last write of an upload fails.
      { apiGroups: ["api.cf-worker"], resources: ["workerversions", "workerdeployments"], verbs: ["get", "list", "patch", "delete"] },
    ];
    const objects = [
      { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "api-limited", namespace } },
      { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name: "api-limited", namespace }, rules },
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: { name: "api-limited", namespace },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "api-limited" },
        subjects: [{ kind: "ServiceAccount", name: "api-limited", namespace }],
      },
    ];
    await kubectl(env.kube, ["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }));
    const token = (await kubectl(env.kube, ["create", "token", "api-limited", "-n", namespace])).trim();
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: "c", server: env.kube.server, caFile: env.kube.caFile }],
      users: [{ name: "api-limited", token }],
      contexts: [{ name: "x", cluster: "c", user: "api-limited", namespace }],
      currentContext: "x",
    });
    limited = await startApiInProcess(env, namespace, {}, new Kube(kc, namespace));
    const first = await call(api.url, "PUT", `/accounts/${acc}/workers/scripts/hello`, { token: ctx.tokens[acc], body: uploadForm({ main_module: "index.js" }, [helloModule]) });
    expect(first.body.success, JSON.stringify(first.body)).toBe(true);
  });
  afterAll(async () => {
    await api?.close();
    await limited?.close();
  });

  const visible = async () => {
    const out: string[] = [];
    for (const kind of ["WorkerVersion", "WorkerDeployment"]) {
      for (const o of await ctx.kube.list<Obj>(API_VERSION, kind, { [LABELS.account]: acc })) out.push(`${kind}/${o.metadata.name}`);
    }
    return [...out.sort(), ...(await s3Keys(ctx.s3, env.s3.bucket, `accounts/${acc}/`))];
  };

  it.each([
    ["a new version of an existing script (POST versions)", "POST", "/workers/scripts/hello/versions"],
    ["a redeploy (PUT script)", "PUT", "/workers/scripts/hello"],
    ["a first deploy of a new script (PUT script)", "PUT", "/workers/scripts/brand-new"],
  ])("%s answers 503 in the envelope and leaves nothing behind", async (_what, method, path) => {
    const before = await visible();
    const big = { name: "big.bin", type: "application/octet-stream", content: new Uint8Array(3 << 20) };
    const res = await call(limited.url, method, `/accounts/${acc}${path}`, { token: ctx.tokens[acc], body: uploadForm({ main_module: "index.js" }, [helloModule, big]) });
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ success: false, errors: [{ code: 10013, message: "Kubernetes is unavailable; the request changed nothing. Please retry." }], result: null });
    expect(await visible()).toEqual(before);
    expect(await ctx.kube.get(API_VERSION, "WorkerScript", `${acc}.brand-new`)).toBeUndefined();
  });

  it("an API with exactly the permissions of deploy/fake-cf-api (RBAC) uploads, sets secrets and deletes", async () => {
    // rbac.yaml binds the ServiceAccount without a namespace (an overlay's `namespace:` sets it); here it is patched in.
    await kubectl(env.kube, ["apply", "-n", namespace, "-k", join(REPO_ROOT, "deploy/fake-cf-api")]);
    await kubectl(env.kube, ["patch", "rolebinding", "fake-cf-api", "-n", namespace, "--type=json", "-p", JSON.stringify([{ op: "add", path: "/subjects/0/namespace", value: namespace }])]);
    const token = (await kubectl(env.kube, ["create", "token", "fake-cf-api", "-n", namespace])).trim();
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: "c", server: env.kube.server, caFile: env.kube.caFile }],
      users: [{ name: "fake-cf-api", token }],
      contexts: [{ name: "x", cluster: "c", user: "fake-cf-api", namespace }],
      currentContext: "x",
    });
    const scoped = await startApiInProcess(env, namespace, {}, new Kube(kc, namespace));
    try {
      const t = ctx.tokens[acc];
      const steps = [
        await call(scoped.url, "PUT", `/accounts/${acc}/workers/scripts/rbac-check`, { token: t, body: uploadForm({ main_module: "index.js" }, [helloModule]) }),
        await call(scoped.url, "POST", `/accounts/${acc}/workers/scripts/rbac-check/versions`, { token: t, body: uploadForm({ main_module: "index.js" }, [helloModule]) }),
        await call(scoped.url, "PUT", `/accounts/${acc}/workers/scripts/hello/secrets`, { token: t, json: { name: "K", text: "v", type: "secret_text" } }),
        await call(scoped.url, "POST", `/accounts/${acc}/workers/scripts/rbac-check/subdomain`, { token: t, json: { enabled: true } }),
        await call(scoped.url, "DELETE", `/accounts/${acc}/workers/services/rbac-check`, { token: t }),
      ];
      for (const s of steps) expect(s.body.success, JSON.stringify(s.body)).toBe(true);
    } finally {
      await scoped.close();
    }
  });
});
