import { HeadObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { s3Client } from "@fireworkers/testenv";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  ACCOUNT,
  deploy,
  eventually,
  finishBuild,
  k,
  newNamespace,
  seedAccount,
  startOperator,
  uploadVersion,
  type OperatorProcess,
} from "./test/harness.ts";

const env = inject("env");

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

  const jobs = () => kc.list("jobs");
  const release = () => kc.get("workerrelease", ACCOUNT);
  const currentBuild = async () => (await eventually("the release to name a build", async () => (await release())?.status?.jobBuilderName)) as string;

  it("turns the seed's WorkerAccount + a deployed version into release, JobBuilder, Job, then bundle and workloads", async () => {
    await kc.apply(seedAccount());
    const bundle0 = await eventually("the bundle", () => kc.get("workerbundle", "worker-bundle-name"));
    expect(bundle0.metadata.ownerReferences[0]).toMatchObject({ kind: "WorkerAccount", name: ACCOUNT, controller: true });
    expect(bundle0.spec.image).toBeUndefined();

    const v1 = await uploadVersion(env, ns, "hello", "export default { fetch() { return new Response('v1') } }");
    await deploy(env, ns, "hello", [[v1, 100]]);

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
      const b = await kc.get("workerbundle", "worker-bundle-name");
      return b?.spec.image ? b : undefined;
    });
    expect(served.spec.image).toMatch(new RegExp(`^${env.registry.host}/bundles/${ACCOUNT}@sha256:[a-f0-9]{64}$`));
    expect(served.spec.workers).toEqual([{ workerName: "hello", workerNumber: 0, envPrefix: "S5_HELLO_", secretRef: `worker-secrets.${ACCOUNT}.hello` }]);

    const deployment = await eventually("the Deployment", () => kc.get("deployment", "worker-bundle-name"));
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.template.spec.containers[0].image).toBe(served.spec.image);
    expect(deployment.spec.template.spec.imagePullSecrets).toEqual([{ name: "insert-secret-here" }]);
    const service = await eventually("the Service", () => kc.get("service", "worker-bundle-name"));
    expect(service.spec.ports.map((p: { port: number }) => p.port)).toEqual([80, 8080]);
    const ingress = await eventually("the Ingress", () => kc.get("ingress", "worker-bundle-name"));
    expect(ingress.spec.rules[0].host).toBe(`hello.${ACCOUNT}.workers.local`);
    expect(ingress.spec.rules[1].http.paths[0].path).toBe("/hello");
    const built = await eventually("the JobBuilder to succeed", async () => {
      const b = await kc.get("jobbuilder", jbName);
      return b?.status?.conditions?.some((c: { type: string; status: string }) => c.type === "Succeeded" && c.status === "True") ? b : undefined;
    });
    expect(built.status.completionTime).toBeDefined();
    const events = await kc.list("events");
    expect(events.map((e) => e.reason)).toContain("BuildSucceeded");
  });

  it("creates no new Job for an identical redeploy, and none for a secret change (only the pod-template hash moves)", async () => {
    const before = (await jobs()).length;
    const current = (await release())!.status.jobBuilderName;
    const rel = (await release())!;
    const v1 = rel.spec.scripts[0].versions[0].versionId;
    await deploy(env, ns, "hello", [[{ spec: { versionId: v1 } }, 100]]);
    await eventually("the release to take the new deployment record", async () => (await release())!.spec.scripts[0].deploymentId !== rel.spec.scripts[0].deploymentId);
    expect((await release())!.status.jobBuilderName).toBe(current);

    const hashOf = async () => (await kc.get("deployment", "worker-bundle-name"))!.spec.template.metadata.annotations["api.cf-worker/secrets-hash"];
    const hash0 = await hashOf();
    await kc.apply({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: `worker-secrets.${ACCOUNT}.hello`, labels: { "api.cf-worker/account": ACCOUNT, "api.cf-worker/script": "hello" } },
      stringData: { API_KEY: "one" },
    });
    const hash1 = await eventually("the secrets hash to change", async () => ((await hashOf()) !== hash0 ? hashOf() : undefined));
    await kc.apply({ apiVersion: "v1", kind: "Secret", metadata: { name: `worker-secrets.${ACCOUNT}.hello` }, stringData: { API_KEY: "two" } });
    await eventually("the secrets hash to change again", async () => (await hashOf()) !== hash1);
    expect((await jobs()).length).toBe(before);
  });

  it("carries a 90/10 split into the JobBuilder inputs", async () => {
    const v1 = (await release())!.spec.scripts[0].versions[0].versionId;
    const v2 = await uploadVersion(env, ns, "hello", "export default { fetch() { return new Response('v2') } }");
    await deploy(env, ns, "hello", [[v2, 90], [{ spec: { versionId: v1 } }, 10]]);
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
    const servedBefore = (await kc.get("workerbundle", "worker-bundle-name"))!.spec.image;
    const failing = (await release())!.status.jobBuilderName;
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
    expect((await kc.get("workerbundle", "worker-bundle-name"))!.spec.image).toBe(servedBefore);
  });

  it("marks a version whose S3 objects are missing Ready=False and never deploys it", async () => {
    const ghost = await uploadVersion(env, ns, "ghost", "never uploaded", { skipS3: true });
    await deploy(env, ns, "ghost", [[ghost, 100]]);
    const v = await eventually("the version's Ready=False", async () => {
      const got = await kc.get("workerversion", ghost.metadata.name);
      return got?.status?.conditions?.find((c: { type: string }) => c.type === "Ready")?.status === "False" ? got : undefined;
    });
    expect(v.status.conditions[0]).toMatchObject({ reason: "S3ObjectsMissing", message: expect.stringContaining("index.js") });
    expect((await release())!.spec.scripts.map((s: { name: string }) => s.name)).toEqual(["hello"]);
  });

  it("deletes a script's S3 objects when its versions are deleted (finalizer)", async () => {
    const doomed = await uploadVersion(env, ns, "doomed", "export default {}");
    const s3 = s3Client(env.s3);
    const key = `${doomed.spec.storage.prefix}modules/index.js`;
    await s3.send(new HeadObjectCommand({ Bucket: env.s3.bucket, Key: key }));
    await kc.run(["delete", "workerversion", "-l", "api.cf-worker/script=doomed", "--wait=true", "--timeout=30s"]);
    const left = await s3.send(new ListObjectsV2Command({ Bucket: env.s3.bucket, Prefix: doomed.spec.storage.prefix }));
    expect(left.KeyCount ?? 0).toBe(0);
    s3.destroy();
  });

  it("stays idle once converged: no write request to the apiserver for 30 s (Lease renewals aside)", async () => {
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
      60_000,
    );
    const auditBefore = await auditWrites(ns);
    await new Promise((r) => setTimeout(r, 30_000));
    expect(await writes()).toBe(last);
    expect(await auditWrites(ns)).toEqual(auditBefore);
  }, 120_000);

  it("empties the release and removes the workloads when the account's last script is deleted", async () => {
    // What `wrangler delete` leaves: no deployment record of any script. The release's list of scripts must
    // become empty through server-side apply (which stores an applied empty list as an absent field).
    await kc.run(["delete", "workerdeployment", "--all", "--wait=true", "--timeout=30s"]);
    await eventually("the release to have no script", async () => ((await release())?.spec?.scripts ?? []).length === 0);
    expect((await release())!.status.conditions.find((c: { type: string }) => c.type === "Ready")).toMatchObject({ status: "True", reason: "NothingDeployed" });
    await eventually("the bundle's Deployment, Service and Ingress to be deleted", async () => {
      const left = await Promise.all(["deployment", "service", "ingress"].map((kind) => kc.get(kind, "worker-bundle-name")));
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
