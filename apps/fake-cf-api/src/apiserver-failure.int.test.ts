// When the apiserver fails a write in the middle of an upload (here: a mutating admission webhook that
// cannot be reached makes it answer 500 to WorkerVersion creates of two scripts), the client gets a 503
// envelope, wrangler's cue to retry, and nothing half-done stays visible: the modules already streamed to
// S3 are deleted and no WorkerVersion or deployment points at them. A refusal (403: RBAC lets the API read
// everything but not create WorkerVersions) is no reason to retry: it answers 500 with its own message.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { API_VERSION, LABELS } from "@fireworkers/crd-types";
import { join } from "node:path";
import { kubectl, REPO_ROOT } from "@fireworkers/testenv";
import { KINDS, KubeConfig, type Kind } from "@fireworkers/kube";
import { createKube } from "./store/kube.ts";
import { s3Keys, setupAccounts, startApiInProcess } from "./test/harness.ts";
import { call, helloModule, uploadForm } from "./test/requests.ts";

const env = inject("env");
const namespace = "api-apiserver-failure";
const acc = "ffffffffffffffffffffffffffffffff";

/** Every WorkerVersion create of the scripts hello and brand-new in this namespace fails: its webhook cannot be
 * reached. Mutating, so that it runs before schema validation and an empty probe object reaches it. */
const unreachableWebhook = {
  apiVersion: "admissionregistration.k8s.io/v1",
  kind: "MutatingWebhookConfiguration",
  metadata: { name: `${namespace}-unreachable` },
  webhooks: [
    {
      name: "unreachable.api-apiserver-failure.test",
      clientConfig: { url: "https://127.0.0.1:1/validate" },
      rules: [{ apiGroups: ["api.cf-worker"], apiVersions: ["v1"], operations: ["CREATE"], resources: ["workerversions"] }],
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } },
      objectSelector: { matchExpressions: [{ key: LABELS.script, operator: "In", values: ["hello", "brand-new"] }] },
      failurePolicy: "Fail",
      sideEffects: "None",
      admissionReviewVersions: ["v1"],
      timeoutSeconds: 5,
    },
  ],
};

/** The apiserver reads webhook configurations from a watch: waits until a create of hello's versions meets it. */
async function webhookActive(timeoutMs = 30_000) {
  const probe = { apiVersion: API_VERSION, kind: "WorkerVersion", metadata: { name: "probe", namespace, labels: { [LABELS.script]: "hello" } }, spec: {} };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await kubectl(env.kube, ["create", "--dry-run=server", "-f", "-"], JSON.stringify(probe)).catch((err: Error) => err.message);
    if (answer.includes("failed calling webhook")) return;
    if (Date.now() > deadline) throw new Error(`webhook not active after ${timeoutMs} ms: ${answer}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

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
    limited = await startApiInProcess(env, namespace, {}, createKube(namespace, kc));
    const first = await call(api.url, "PUT", `/accounts/${acc}/workers/scripts/hello`, { token: ctx.tokens[acc], body: uploadForm({ main_module: "index.js" }, [helloModule]) });
    expect(first.body.success, JSON.stringify(first.body)).toBe(true);
    // Only after the first upload: from here on, creating a version of these two scripts fails.
    await kubectl(env.kube, ["apply", "-f", "-"], JSON.stringify(unreachableWebhook));
    await webhookActive();
  });
  afterAll(async () => {
    await kubectl(env.kube, ["delete", "mutatingwebhookconfiguration", unreachableWebhook.metadata.name, "--ignore-not-found"]);
    await api?.close();
    await limited?.close();
  });

  const visible = async () => {
    const out: string[] = [];
    const kinds: Kind[] = [KINDS.WorkerVersion, KINDS.WorkerDeployment];
    for (const kind of kinds) {
      for (const o of (await ctx.kube.list(kind, { labelSelector: { [LABELS.account]: acc } })).items) out.push(`${kind.kind}/${o.metadata?.name}`);
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
    const res = await call(api.url, method, `/accounts/${acc}${path}`, { token: ctx.tokens[acc], body: uploadForm({ main_module: "index.js" }, [helloModule, big]) });
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ success: false, errors: [{ code: 10013, message: "Kubernetes is unavailable; the request changed nothing. Please retry." }], result: null });
    expect(await visible()).toEqual(before);
    expect(await ctx.kube.get(KINDS.WorkerScript, `${acc}.brand-new`)).toBeUndefined();
  });

  it("a refusal (403) in the middle of an upload answers 500 with its own message, not a retry, and leaves nothing behind", async () => {
    const before = await visible();
    const res = await call(limited.url, "POST", `/accounts/${acc}/workers/scripts/hello/versions`, {
      token: ctx.tokens[acc],
      body: uploadForm({ main_module: "index.js" }, [helloModule, { name: "big.bin", type: "application/octet-stream", content: new Uint8Array(3 << 20) }]),
    });
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({
      success: false,
      errors: [{ code: 10002, message: "The API is not permitted to make this change in Kubernetes (RBAC); the request changed nothing. Contact the platform operator." }],
      result: null,
    });
    expect(await visible()).toEqual(before);
  });

  it("an API with exactly the permissions of deploy/fake-cf-api (RBAC) uploads, sets secrets and deletes", async () => {
    // The failure cases' webhook would refuse the new version of hello that the secret below makes.
    await kubectl(env.kube, ["delete", "mutatingwebhookconfiguration", unreachableWebhook.metadata.name, "--ignore-not-found"]);
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
    const scoped = await startApiInProcess(env, namespace, {}, createKube(namespace, kc));
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
