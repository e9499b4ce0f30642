import { readFileSync } from "node:fs";
import { join } from "node:path";
import { eventually } from "./eventually.ts";
import { describe, expect, inject, it } from "vitest";
import { kubectl } from "./kube.ts";
import { REPO_ROOT } from "./paths.ts";
import { probe } from "./probe.ts";

const { kube } = inject("env");
const k = (...args: string[]) => kubectl(kube, args);

describe("kube-apiserver", () => {
  it("is a real v1.34 apiserver that forbids anonymous and rejects wrong-token requests", async () => {
    const version = JSON.parse(await k("get", "--raw", "/version"));
    expect(version.gitVersion).toMatch(/^v1\.34\.\d+$/);
    // Anonymous requests authenticate as system:anonymous, which RBAC gives nothing.
    expect(await probe(`${kube.server}/api/v1/namespaces`)).toBe(403);
    expect(await probe(`${kube.server}/api/v1/namespaces`, { authorization: "Bearer not-a-token" })).toBe(401);
  });

  it("has every fireworkers CRD established", async () => {
    const names = (await k("get", "crds", "-o", "name")).trim().split("\n");
    for (const plural of ["workeraccounts", "workerversions", "workerdeployments", "workerreleases", "jobbuilders", "workerbundles"]) {
      expect(names).toContain(`customresourcedefinition.apiextensions.k8s.io/${plural}.api.cf-worker`);
    }
  });
});

describe("the seed's sample WorkerAccount", () => {
  const ns = "seed-sample";

  it("applies unchanged with kubectl apply -f and reads back with its printer columns", async () => {
    await k("create", "namespace", ns);
    const out = await k("apply", "-n", ns, "-f", join(REPO_ROOT, "deploy/samples/workeraccount.yaml"));
    expect(out).toContain("workeraccount.api.cf-worker/398803b74bcdb1b454434669bc634190 created");
    const got = JSON.parse(await k("get", "-n", ns, "wa", "398803b74bcdb1b454434669bc634190", "-o", "json"));
    expect(got.spec).toEqual({
      workerBundleName: "worker-bundle-name",
      workerReleaseSelector: { matchLabels: { accounts: "1234" } },
      podTemplate: { imagePullSecret: "insert-secret-here" },
    });
    const table = await k("get", "-n", ns, "workeraccounts");
    expect(table).toMatch(/NAME\s+BUNDLE\s+SUBDOMAIN\s+READY\s+AGE/);
    expect(table).toContain("worker-bundle-name");
  });

  it("is rejected by the apiserver when it violates the schema", async () => {
    const bad = readFileSync(join(REPO_ROOT, "deploy/samples/workeraccount.yaml"), "utf8")
      .replace("worker-bundle-name", "Not_A_DNS_Label!")
      .replace("398803b74bcdb1b454434669bc634190", "bad-sample");
    await expect(kubectl(kube, ["apply", "-n", ns, "-f", "-"], bad)).rejects.toThrow(/spec\.workerBundleName: Invalid value/);
  });
});

describe("CEL validation rules", () => {
  const ns = "cel-rules";
  const deployment = (percentages: number[]) => ({
    apiVersion: "api.cf-worker/v1",
    kind: "WorkerDeployment",
    metadata: { name: "d1" },
    spec: {
      accountId: "acc",
      scriptName: "hello",
      deploymentId: "00000000-0000-4000-8000-000000000001",
      strategy: "percentage",
      versions: percentages.map((percentage, i) => ({ versionId: `00000000-0000-4000-8000-00000000001${i}`, percentage })),
    },
  });

  it("reject a split that does not sum to 100 and any change of an immutable spec", async () => {
    await k("create", "namespace", ns);
    await expect(kubectl(kube, ["create", "-n", ns, "-f", "-"], JSON.stringify(deployment([60, 30])))).rejects.toThrow(/percentages must sum to 100/);
    await kubectl(kube, ["create", "-n", ns, "-f", "-"], JSON.stringify(deployment([70, 30])));
    await expect(k("patch", "-n", ns, "wd", "d1", "--type=merge", "-p", JSON.stringify({ spec: { scriptName: "other" } }))).rejects.toThrow(
      /spec is immutable/,
    );
  });
});

describe("a WorkerVersion's storage prefix", () => {
  it("must be the version's own, since the operator deletes everything under it", async () => {
    const ns = "cel-prefix";
    await k("create", "namespace", ns);
    const id = "00000000-0000-4000-8000-000000000042";
    const version = (prefix: string) => ({
      apiVersion: "api.cf-worker/v1",
      kind: "WorkerVersion",
      metadata: { name: id },
      spec: {
        accountId: "acc",
        scriptName: "hello",
        versionId: id,
        number: 1,
        storage: { bucket: "fireworkers", prefix },
        mainModule: "index.js",
        modules: [{ name: "index.js", type: "esm", sha256: "a".repeat(64), size: 1 }],
      },
    });
    await expect(kubectl(kube, ["create", "-n", ns, "-f", "-"], JSON.stringify(version("accounts/")))).rejects.toThrow(/storage.prefix must be/);
    await kubectl(kube, ["create", "-n", ns, "-f", "-"], JSON.stringify(version(`accounts/acc/scripts/hello/versions/${id}/`)));
  });
});

describe("kube-controller-manager", () => {
  it("garbage-collects an owned object when its owner is deleted", async () => {
    const ns = "gc-cascade";
    await k("create", "namespace", ns);
    await kubectl(
      kube,
      ["create", "-n", ns, "-f", "-"],
      JSON.stringify({ apiVersion: "api.cf-worker/v1", kind: "WorkerAccount", metadata: { name: "owner" }, spec: { workerBundleName: "b" } }),
    );
    const uid = (await k("get", "-n", ns, "wa", "owner", "-o", "jsonpath={.metadata.uid}")).trim();
    await kubectl(
      kube,
      ["create", "-n", ns, "-f", "-"],
      JSON.stringify({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "owned", ownerReferences: [{ apiVersion: "api.cf-worker/v1", kind: "WorkerAccount", name: "owner", uid }] },
        data: { a: "b" },
      }),
    );
    await k("delete", "-n", ns, "wa", "owner");
    await eventually("the owned ConfigMap to be collected", async () => {
      const left = await k("get", "-n", ns, "configmap", "owned", "--ignore-not-found", "-o", "name");
      return left.trim() === "";
    }, { timeoutMs: 60_000 });
  });

  it("creates the default ServiceAccount of a new namespace", async () => {
    await k("create", "namespace", "sa-check");
    const sa = await eventually("the default ServiceAccount", async () => (await k("get", "-n", "sa-check", "serviceaccount", "default", "-o", "name")).trim() || undefined, { timeoutMs: 60_000 });
    expect(sa).toBe("serviceaccount/default");
  });
});
