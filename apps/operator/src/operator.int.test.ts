import { HeadObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import type { WorkerVersion } from "@fireworkers/crd-types";
import { eventually, s3Client } from "@fireworkers/testenv";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { deploy, finishBuild, k, newAccountId, newNamespace, seedAccount, startOperator, uploadVersion, type OperatorProcess } from "./test/harness.ts";

const env = inject("env");

// One operator for the file; every test works on an account of its own (its own release, builds,
// bundle and workloads), so each runs alone, in any order, on what it set up itself.
describe("the chain, from a WorkerVersion to a served bundle", () => {
  let ns: string;
  let kc: ReturnType<typeof k>;
  let op: OperatorProcess;

  beforeAll(async () => {
    ns = await newNamespace(env, "chain");
    kc = k(env, ns);
    op = await startOperator(env, ns);
  });
  afterAll(() => op?.stop());

  /** A new WorkerAccount with its own bundle name, and the calls the API would make for it. */
  async function newAccount() {
    const id = newAccountId();
    const bundle = `bundle-${id.slice(0, 12)}`;
    await kc.apply(seedAccount(bundle, id));
    const release = () => kc.get("workerrelease", id);
    return {
      id,
      bundle,
      release,
      selector: `api.cf-worker/account=${id}`,
      upload: (script: string, code: string, options: { skipS3?: boolean } = {}) => uploadVersion(env, ns, script, code, { ...options, account: id }),
      deploy: (script: string, split: [WorkerVersion | string, number][]) => deploy(env, ns, script, split, id),
      currentBuild: async () => (await eventually("the release to name a build", async () => (await release())?.status?.jobBuilderName)) as string,
    };
  }

  /** A new account whose script `hello` (v1) is built and served: the bundle has its image and workloads. */
  async function servedAccount() {
    const account = await newAccount();
    const v1 = await account.upload("hello", "export default { fetch() { return new Response('v1') } }");
    await account.deploy("hello", [[v1, 100]]);
    const build = await account.currentBuild();
    await eventually("the build Job", () => kc.get("job", build));
    await finishBuild(env, ns, build, "succeeded");
    const image = await eventually("the bundle to get the image", async () => (await kc.get("workerbundle", account.bundle))?.spec.image as string | undefined);
    await eventually("the Deployment", () => kc.get("deployment", account.bundle));
    return { ...account, v1, build, image };
  }

  it("turns the seed's WorkerAccount + a deployed version into release, JobBuilder, Job, then bundle and workloads", async () => {
    const { id: account, bundle, release, currentBuild, upload, deploy } = await newAccount();
    const bundle0 = await eventually("the bundle", () => kc.get("workerbundle", bundle));
    expect(bundle0.metadata.ownerReferences[0]).toMatchObject({ kind: "WorkerAccount", name: account, controller: true });
    expect(bundle0.spec.image).toBeUndefined();

    const v1 = await upload("hello", "export default { fetch() { return new Response('v1') } }");
    await deploy("hello", [[v1, 100]]);

    const rel = await eventually("the release to list hello", async () => ((await release())?.spec.scripts.length ? release() : undefined));
    expect(rel!.metadata.labels).toMatchObject({ accounts: "1234" });
    expect(rel!.spec.scripts).toEqual([{ name: "hello", deploymentId: expect.any(String), versions: [{ versionId: v1.spec.versionId, percentage: 100 }] }]);

    const jbName = await currentBuild();
    const jb = (await kc.get("jobbuilder", jbName))!;
    expect(jb.spec.scripts[0].versions[0]).toMatchObject({ versionId: v1.spec.versionId, modules: v1.spec.modules, storage: v1.spec.storage });
    const job = await eventually("the build Job", () => kc.get("job", jbName));
    const pod = job.spec.template.spec;
    expect(job.metadata.ownerReferences[0]).toMatchObject({ kind: "JobBuilder", name: jbName, controller: true });
    expect(job.spec.backoffLimit).toBe(2);
    expect(pod.containers[0].securityContext.readOnlyRootFilesystem).toBe(true);
    expect(pod.containers[0].env).toContainEqual({ name: "JOB_BUILDER_NAME", value: jbName });

    await finishBuild(env, ns, jbName, "succeeded");
    const served = await eventually("the bundle to get the image", async () => {
      const b = await kc.get("workerbundle", bundle);
      return b?.spec.image ? b : undefined;
    });
    expect(served.spec.image).toMatch(new RegExp(`^${env.registry.host}/bundles/${account}@sha256:[a-f0-9]{64}$`));
    expect(served.spec.workers).toEqual([{ workerName: "hello", workerNumber: 0, envPrefix: "S5_HELLO_", secretRef: `worker-secrets.${account}.hello` }]);

    const deployment = await eventually("the Deployment", () => kc.get("deployment", bundle));
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.template.spec.containers[0].image).toBe(served.spec.image);
    expect(deployment.spec.template.spec.imagePullSecrets).toEqual([{ name: "insert-secret-here" }]);
    const service = await eventually("the Service", () => kc.get("service", bundle));
    expect(service.spec.ports.map((p: { port: number }) => p.port)).toEqual([80, 8080]);
    const ingress = await eventually("the Ingress", () => kc.get("ingress", bundle));
    expect(ingress.spec.rules[0].host).toBe(`hello.${account}.workers.local`);
    expect(ingress.spec.rules[1].http.paths[0].path).toBe("/hello");
    const built = await eventually("the JobBuilder to succeed", async () => {
      const b = await kc.get("jobbuilder", jbName);
      return b?.status?.conditions?.some((c: { type: string; status: string }) => c.type === "Succeeded" && c.status === "True") ? b : undefined;
    });
    expect(built.status.completionTime).toBeDefined();
    const events = await kc.list("events");
    expect(events.filter((e) => e.involvedObject.name === jbName).map((e) => e.reason)).toContain("BuildSucceeded");
  });

  it("creates no new Job for an identical redeploy, and none for a secret change (only the pod-template hash moves)", async () => {
    const { id: account, bundle, release, selector, deploy, v1, build } = await servedAccount();
    const jobs = () => kc.list("jobs", selector);
    const before = (await jobs()).length;
    const rel = (await release())!;
    await deploy("hello", [[v1, 100]]);
    await eventually("the release to take the new deployment record", async () => (await release())!.spec.scripts[0].deploymentId !== rel.spec.scripts[0].deploymentId);
    expect((await release())!.status.jobBuilderName).toBe(build);

    const hashOf = async () => (await kc.get("deployment", bundle))!.spec.template.metadata.annotations["api.cf-worker/secrets-hash"];
    const hash0 = await hashOf();
    await kc.apply({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: `worker-secrets.${account}.hello`, labels: { "api.cf-worker/account": account, "api.cf-worker/script": "hello" } },
      stringData: { API_KEY: "one" },
    });
    const hash1 = await eventually("the secrets hash to change", async () => ((await hashOf()) !== hash0 ? hashOf() : undefined));
    await kc.apply({ apiVersion: "v1", kind: "Secret", metadata: { name: `worker-secrets.${account}.hello` }, stringData: { API_KEY: "two" } });
    await eventually("the secrets hash to change again", async () => (await hashOf()) !== hash1);
    expect((await jobs()).length).toBe(before);
  });

  it("carries a 90/10 split into the JobBuilder inputs", async () => {
    const { release, upload, deploy, v1: version1 } = await servedAccount();
    const v1 = version1.spec.versionId;
    const v2 = await upload("hello", "export default { fetch() { return new Response('v2') } }");
    await deploy("hello", [[v2, 90], [v1, 10]]);
    const jb = await eventually("a build with the split", async () => {
      const name = (await release())!.status?.jobBuilderName;
      const b = name && (await kc.get("jobbuilder", name));
      return b?.spec.scripts[0].versions.length === 2 ? b : undefined;
    });
    expect(jb.spec.scripts[0].versions.map((v: { versionId: string; percentage: number }) => [v.versionId, v.percentage])).toEqual([
      [v2.spec.versionId, 90],
      [v1, 10],
    ]);
  });

  it("surfaces a failed build as a condition and an Event, and the previous image keeps serving", async () => {
    const { bundle, release, upload, deploy, build, image: servedBefore } = await servedAccount();
    const v2 = await upload("hello", "export default { fetch() { return new Response('v2') } }");
    await deploy("hello", [[v2, 100]]);
    const failing = await eventually("a new build", async () => {
      const name = (await release())?.status?.jobBuilderName;
      return name !== build ? (name as string | undefined) : undefined;
    });
    await eventually("the failing build's Job", () => kc.get("job", failing));
    await finishBuild(env, ns, failing, "failed");
    const jb = await eventually("the Failed condition", async () => {
      const b = await kc.get("jobbuilder", failing);
      return b?.status?.conditions?.some((c: { type: string; status: string }) => c.type === "Failed" && c.status === "True") ? b : undefined;
    });
    expect(jb.status.conditions.find((c: { type: string }) => c.type === "Failed").reason).toBe("BackoffLimitExceeded");
    await eventually("the release to report the failure", async () =>
      (await release())!.status.conditions.some((c: { type: string; reason: string }) => c.type === "Ready" && c.reason === "BuildFailed"),
    );
    const events = await kc.list("events");
    expect(events.find((e) => e.reason === "BuildFailed" && e.involvedObject.name === failing)?.type).toBe("Warning");
    expect((await kc.get("workerbundle", bundle))!.spec.image).toBe(servedBefore);
  });

  it("marks a version whose S3 objects are missing Ready=False and never deploys it", async () => {
    const { release, upload, deploy } = await newAccount();
    const hello = await upload("hello", "export default {}");
    await deploy("hello", [[hello, 100]]);
    const ghost = await upload("ghost", "never uploaded", { skipS3: true });
    await deploy("ghost", [[ghost, 100]]);
    const v = await eventually("the version's Ready=False", async () => {
      const got = await kc.get("workerversion", ghost.metadata.name);
      return got?.status?.conditions?.find((c: { type: string }) => c.type === "Ready")?.status === "False" ? got : undefined;
    });
    expect(v.status.conditions[0]).toMatchObject({ reason: "S3ObjectsMissing", message: expect.stringContaining("index.js") });
    // The release lists hello (its version is fine) and leaves ghost out.
    await eventually("the release to list hello", async () => ((await release())?.spec.scripts ?? []).length > 0);
    expect((await release())!.spec.scripts.map((s: { name: string }) => s.name)).toEqual(["hello"]);
  });

  it("deletes a script's S3 objects when its versions are deleted (finalizer)", async () => {
    const { upload, selector } = await newAccount();
    const doomed = await upload("doomed", "export default {}");
    const s3 = s3Client(env.s3);
    const key = `${doomed.spec.storage.prefix}modules/index.js`;
    await s3.send(new HeadObjectCommand({ Bucket: env.s3.bucket, Key: key }));
    await kc.run(["delete", "workerversion", "-l", `${selector},api.cf-worker/script=doomed`, "--wait=true", "--timeout=30s"]);
    const left = await s3.send(new ListObjectsV2Command({ Bucket: env.s3.bucket, Prefix: doomed.spec.storage.prefix }));
    expect(left.KeyCount ?? 0).toBe(0);
    s3.destroy();
  });

  it("stays idle once converged: no write request to the apiserver for 30 s (Lease renewals aside)", async () => {
    await servedAccount();
    const writes = async () => {
      const text = await op.metrics();
      return [...text.matchAll(/^fireworkers_apiserver_writes_total\{[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
    };
    // Converged = the write counter stopped moving for 3 s.
    let last = -1;
    await eventually(
      "convergence",
      async () => {
        const now = await writes();
        const settled = now === last;
        last = now;
        if (!settled) await new Promise((r) => setTimeout(r, 3000));
        return settled;
      },
      { timeoutMs: 60_000 },
    );
    const auditBefore = await auditWrites(ns);
    await new Promise((r) => setTimeout(r, 30_000));
    expect(await writes()).toBe(last);
    expect(await auditWrites(ns)).toEqual(auditBefore);
  }, 120_000);

  it("empties the release and removes the workloads when the account's last script is deleted", async () => {
    const { bundle, release, selector } = await servedAccount();
    // What `wrangler delete` leaves: no deployment record of any script. The release's list of scripts must
    // become empty through server-side apply (which stores an applied empty list as an absent field).
    await kc.run(["delete", "workerdeployment", "-l", selector, "--wait=true", "--timeout=30s"]);
    await eventually("the release to have no script", async () => ((await release())?.spec?.scripts ?? []).length === 0);
    expect((await release())!.status.conditions.find((c: { type: string }) => c.type === "Ready")).toMatchObject({ status: "True", reason: "NothingDeployed" });
    await eventually("the bundle's Deployment, Service and Ingress to be deleted", async () => {
      const left = await Promise.all(["deployment", "service", "ingress"].map((kind) => kc.get(kind, bundle)));
      return left.every((o) => !o);
    });
  });
});

/** Write requests the operator's user made in the namespace, per the apiserver's audit log (leases excluded). */
async function auditWrites(ns: string): Promise<number> {
  const { readFile } = await import("node:fs/promises");
  const lines = (await readFile(env.kube.auditLog, "utf8")).trim().split("\n");
  return lines
    .map((l) => JSON.parse(l))
    .filter((e) => e.stage === "ResponseComplete" && e.objectRef?.namespace === ns && !["get", "list", "watch"].includes(e.verb) && e.objectRef?.resource !== "leases")
    .filter((e) => e.userAgent?.startsWith("fireworkers/fireworkers-operator") || e.user?.username === "admin").length;
}
