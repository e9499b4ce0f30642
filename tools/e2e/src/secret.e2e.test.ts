// `wrangler secret put` reaches the running worker as an environment binding (fromEnvironment) by rolling
// its pods: the image is not rebuilt, no build Job runs, and the value is in no image, CR or S3 object.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { e2eContext, newTenant, plainProject, untilAnswers, writeProject, type Tenant } from "./test/index.ts";

const { cluster, platform, kube } = e2eContext();
const script = "secretive";
const worker = `export default { fetch(req, env) { return Response.json({ token: env.API_TOKEN ?? null, mode: env.MODE }) } }\n`;

describe("wrangler secret put", () => {
  let tenant: Tenant;
  let dir: string;
  beforeAll(async () => {
    tenant = await newTenant(cluster, platform, "secret");
    dir = writeProject(plainProject(script, worker, `[vars]\nMODE = "plain"\n`));
  });
  afterAll(async () => tenant?.remove());

  const builds = async () => (await kube.list("jobs", `api.cf-worker/account=${tenant.accountId}`)).map((j) => j.metadata.name).sort();
  const put = async (value: string) => {
    const r = await tenant.wrangler(dir, ["secret", "put", "API_TOKEN"], `${value}\n`);
    expect(r.code, r.output).toBe(0);
  };

  it("a changed value is served after a pod roll, without a new image or build Job", async () => {
    let r = await tenant.wrangler(dir, ["deploy"]);
    expect(r.code, r.output).toBe(0);
    await untilAnswers(platform.edgeUrl, tenant.host(script), (b) => JSON.parse(b).mode === "plain");
    // The first put declares the binding (the workerd config changes, so this one builds).
    await put("first-value");
    await untilAnswers(platform.edgeUrl, tenant.host(script), (b) => JSON.parse(b).token === "first-value");

    const jobsBefore = await builds();
    const imageBefore = (await kube.get("workerbundle", tenant.subdomain)).spec.image;
    await put("second-value");
    const body = JSON.parse(await untilAnswers(platform.edgeUrl, tenant.host(script), (b) => JSON.parse(b).token === "second-value"));
    expect(body).toEqual({ token: "second-value", mode: "plain" });

    expect(await builds()).toEqual(jobsBefore);
    expect((await kube.get("workerbundle", tenant.subdomain)).spec.image).toBe(imageBefore);
    const pods = (await kube.list("pods", `app.kubernetes.io/instance=${tenant.subdomain}`)).filter((p) => !p.metadata.deletionTimestamp);
    expect(pods.every((p) => p.spec.containers[0].image === imageBefore)).toBe(true);
    // The value lives only in the Secret the pods read.
    r = await tenant.wrangler(dir, ["secret", "list"]);
    expect(r.output).toContain("API_TOKEN");
    expect(r.output).not.toContain("second-value");
    const versions = JSON.stringify(await kube.list("workerversions", `api.cf-worker/account=${tenant.accountId}`));
    expect(versions).not.toContain("second-value");
  });
});
