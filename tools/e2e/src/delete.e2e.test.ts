// `wrangler delete` removes a worker for real: it stops answering, its Kubernetes objects and S3 objects are
// deleted, and with no script left in the account its pods, Service and Ingress are gone.
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { eventually, s3Client } from "@fireworkers/testenv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLUSTER_WAIT, e2eContext, fetchVia, newTenant, plainProject, untilAnswers, writeProject, type Tenant } from "./test/index.ts";

const { cluster, platform, kube } = e2eContext();
const script = "doomed";

describe("wrangler delete", () => {
  let tenant: Tenant;
  beforeAll(async () => {
    tenant = await newTenant(cluster, platform, "delete");
  });
  afterAll(async () => tenant?.remove());

  it("the worker stops answering; its objects, S3 data and pods are gone", async () => {
    const dir = writeProject(plainProject(script, `export default { fetch() { return new Response("still here") } }\n`));
    let r = await tenant.wrangler(dir, ["deploy"]);
    expect(r.code, r.output).toBe(0);
    await untilAnswers(platform.edgeUrl, tenant.host(script), (b) => b === "still here");
    const s3 = s3Client({ ...cluster.s3, forcePathStyle: true });
    const keys = async () =>
      (await s3.send(new ListObjectsV2Command({ Bucket: cluster.s3.bucket, Prefix: `accounts/${tenant.accountId}/scripts/${script}/` }))).KeyCount ?? 0;
    expect(await keys()).toBeGreaterThan(0);

    r = await tenant.wrangler(dir, ["delete"]);
    expect(r.code, r.output).toBe(0);
    await eventually("the worker to stop answering", async () => ((await fetchVia(platform.edgeUrl, tenant.host(script))).status === 404), CLUSTER_WAIT);

    const selector = `api.cf-worker/account=${tenant.accountId}`;
    await eventually("scripts, versions and deployments to be deleted", async () => {
      const left = await Promise.all(["workerscripts", "workerversions", "workerdeployments"].map((k) => kube.list(k, `${selector},api.cf-worker/script=${script}`)));
      return left.every((l) => l.length === 0);
    }, CLUSTER_WAIT);
    await eventually("the S3 objects to be deleted", async () => ((await keys()) === 0), CLUSTER_WAIT);
    await eventually("the pods, Service and Ingress to be gone", async () => {
      const [pods, services, ingresses] = await Promise.all([
        kube.list("pods", `app.kubernetes.io/instance=${tenant.subdomain}`),
        kube.list("services", `app.kubernetes.io/instance=${tenant.subdomain}`),
        kube.list("ingresses", `app.kubernetes.io/instance=${tenant.subdomain}`),
      ]);
      return pods.length + services.length + ingresses.length === 0;
    }, CLUSTER_WAIT);
    expect(await kube.get("secret", `worker-secrets.${tenant.accountId}.${script}`)).toBeUndefined();
    s3.destroy();
  });
});
