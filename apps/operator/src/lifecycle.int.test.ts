import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { eventually, s3Client } from "@fireworkers/testenv";
import { describe, expect, inject, it } from "vitest";
import { ACCOUNT, deploy, finishBuild, isLeader, isLeadingAndIdle, k, metricSum, newNamespace, seedAccount, startOperator, uploadVersion } from "./test/harness.ts";

const env = inject("env");

const bundleImage = async (kc: ReturnType<typeof k>) => (await kc.get("workerbundle", "worker-bundle-name"))?.spec.image as string | undefined;
const buildName = async (kc: ReturnType<typeof k>) => (await kc.get("workerrelease", ACCOUNT))?.status?.jobBuilderName as string | undefined;

describe("operator lifecycle", () => {
  it("converges after being killed mid-chain, with no duplicate Job", async () => {
    const ns = await newNamespace(env, "restart");
    const kc = k(env, ns);
    let op = await startOperator(env, ns, "first");
    await kc.apply(seedAccount());
    const v1 = await uploadVersion(env, ns, "hello", "export default {}");
    await deploy(env, ns, "hello", [[v1, 100]]);
    // Killed as soon as the JobBuilder exists: between creating it and (maybe) its Job.
    const jb = await eventually("the JobBuilder", () => buildName(kc));
    await op.kill();

    op = await startOperator(env, ns, "second");
    try {
      await eventually("the Job", () => kc.get("job", jb));
      await finishBuild(env, ns, jb, "succeeded");
      await eventually("the bundle image", () => bundleImage(kc));
      await op.kill();
      // A third start on a converged world must not create anything again. It leads only once the killed
      // one's Lease expired; then it looks at everything once. Absence counts only after that look.
      const third = await startOperator(env, ns, "third");
      op = third;
      await eventually("the third operator to lead and empty its queues", () => isLeadingAndIdle(third), { timeoutMs: 30_000 });
      const text = await third.metrics();
      expect(metricSum(text, "fireworkers_reconcile_total", 'kind="WorkerRelease"')).toBeGreaterThan(0);
      expect(metricSum(text, "fireworkers_reconcile_total", 'kind="JobBuilder"')).toBeGreaterThan(0);
      expect((await kc.list("jobs")).map((j) => j.metadata.name)).toEqual([jb]);
      expect((await kc.list("jobbuilders")).map((j) => j.metadata.name)).toEqual([jb]);
    } finally {
      await op.stop();
    }
  });

  it("deletes everything an account owns with the account, S3 objects included", async () => {
    const ns = await newNamespace(env, "gc");
    const kc = k(env, ns);
    const op = await startOperator(env, ns);
    try {
      await kc.apply(seedAccount());
      const v1 = await uploadVersion(env, ns, "hello", "export default {}");
      await deploy(env, ns, "hello", [[v1, 100]]);
      const jb = await eventually("the JobBuilder", () => buildName(kc));
      await eventually("the Job", () => kc.get("job", jb));
      await finishBuild(env, ns, jb, "succeeded");
      await eventually("the Deployment", () => kc.get("deployment", "worker-bundle-name"));

      await kc.run(["delete", "workeraccount", ACCOUNT, "--wait=true", "--timeout=60s"]);
      const kinds = ["workerreleases", "jobbuilders", "workerbundles", "workerscripts", "workerversions", "workerdeployments", "jobs", "deployments", "services", "ingresses"];
      await eventually(
        "every owned object to be gone",
        async () => {
          for (const kind of kinds) if ((await kc.list(kind)).length > 0) throw new Error(`${kind} left`);
          return true;
        },
        { timeoutMs: 60_000 },
      );
      const s3 = s3Client(env.s3);
      const left = await s3.send(new ListObjectsV2Command({ Bucket: env.s3.bucket, Prefix: v1.spec.storage.prefix }));
      s3.destroy();
      expect(left.KeyCount ?? 0).toBe(0);
    } finally {
      await op.stop();
    }
  });

  it("lets exactly one of two replicas lead, and the other take over within the lease time when it dies", async () => {
    const ns = await newNamespace(env, "ha");
    const kc = k(env, ns);
    const a = await startOperator(env, ns, "replica-a");
    const b = await startOperator(env, ns, "replica-b");
    try {
      await eventually("a leader", async () => (await isLeader(a)) || (await isLeader(b)));
      // Exactly one leads over more than a whole lease period (4 s): time enough for the other, were it
      // to ignore a held Lease, to take it too. Sampled all along, not just at the end.
      let leaders: boolean[] = [];
      for (const until = Date.now() + 5_000; Date.now() < until; ) {
        leaders = [await isLeader(a), await isLeader(b)];
        expect(leaders.filter(Boolean)).toHaveLength(1);
        await new Promise((r) => setTimeout(r, 100)); // the sampling interval
      }
      const [leader, follower] = leaders[0] ? [a, b] : [b, a];
      const lease = await kc.get("lease", "fireworkers-operator");
      expect(lease!.spec.holderIdentity).toBe(leaders[0] ? "replica-a" : "replica-b");

      // Only the leader reconciles: the follower's reconcile counter stays at zero.
      await kc.apply(seedAccount());
      await eventually("the leader to make the bundle", () => kc.get("workerbundle", "worker-bundle-name"));
      expect(await follower.metrics()).not.toMatch(/^fireworkers_reconcile_total\{[^}]*\} [1-9]/m);

      const killedAt = Date.now();
      await leader.kill();
      // The lease is 4 s and candidates retry every 1 s; the bound leaves room for a busy machine.
      await eventually("the follower to lead", () => isLeader(follower), { timeoutMs: 15_000 });
      console.log(`[ha] takeover after ${Date.now() - killedAt} ms (lease 4 s)`);

      const v1 = await uploadVersion(env, ns, "hello", "export default {}");
      await deploy(env, ns, "hello", [[v1, 100]]);
      await eventually("the new leader to reconcile", () => buildName(kc));
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});
