// `wrangler deploy` of a multi-module + WebAssembly worker turns into pods answering through the platform's
// serving path with what each module computes; a redeploy of changed code replaces them: the new code
// answers and the old pods are gone.
import { eventually } from "@fireworkers/testenv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLUSTER_WAIT, e2eContext, fetchVia, multiModuleProject, newTenant, untilAnswers, writeProject, type Tenant } from "./test/index.ts";

const { cluster, platform, kube } = e2eContext();
const script = "multi";

describe("wrangler deploy -> serving", () => {
  let tenant: Tenant;
  beforeAll(async () => {
    tenant = await newTenant(cluster, platform, "deploy");
  });
  afterAll(async () => tenant?.remove());

  const pods = async () => (await kube.list("pods", `app.kubernetes.io/instance=${tenant.subdomain}`)).filter((p) => !p.metadata.deletionTimestamp);

  it("a multi-module + wasm worker answers through the edge proxy and the router with every module's output", async () => {
    const dir = writeProject(multiModuleProject(script, "v1"));
    const r = await tenant.wrangler(dir, ["deploy"]);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain(`${script}.${tenant.subdomain}.workers.local`);

    const body = JSON.parse(await untilAnswers(platform.edgeUrl, tenant.host(script), () => true));
    expect(body).toEqual({ marker: "v1", greeting: "hello from a text module", sum: 42, mode: "e2e", path: "/" });
    // The seed's path rule, under the account's own host: /<script> is stripped by the router.
    const byPath = await fetchVia(platform.edgeUrl, `${tenant.subdomain}.${platform.workersDomain}`, `/${script}/deep/path`);
    expect(byPath.status).toBe(200);
    expect(JSON.parse(byPath.body).path).toBe("/deep/path");
    // Without the account's host, a path claims nothing: two accounts may both have a script of this name.
    expect((await fetchVia(platform.edgeUrl, "10.244.0.1", `/${script}/deep/path`)).status).toBe(404);
    // A host the platform does not know gets the edge's 404, not another tenant's worker.
    const unknown = await fetchVia(platform.edgeUrl, `nope.${tenant.subdomain}.workers.local`, "/nothing-here");
    expect(unknown.status).toBe(404);
  });

  it("a redeploy of changed code serves the new code, and the pods of the old image are gone", async () => {
    const before = await pods();
    expect(before.length).toBeGreaterThan(0);
    const oldImage = before[0].spec.containers[0].image;

    const dir = writeProject({ ...multiModuleProject(script, "v2"), "src/lib/suffix.js": `export const suffix = "-changed";\n` });
    const r = await tenant.wrangler(dir, ["deploy"]);
    expect(r.code, r.output).toBe(0);
    const body = JSON.parse(await untilAnswers(platform.edgeUrl, tenant.host(script), (b) => b.includes("v2-changed")));
    expect(body).toMatchObject({ marker: "v2-changed", sum: 42 });

    await eventually("the old pods to be gone", async () => {
      const all = await kube.list("pods", `app.kubernetes.io/instance=${tenant.subdomain}`);
      return all.length > 0 && all.every((p) => p.spec.containers[0].image !== oldImage && p.status.phase === "Running");
    }, CLUSTER_WAIT);
    const bundle = await kube.get("workerbundle", tenant.subdomain);
    expect(bundle.spec.image).not.toBe(oldImage);
    expect((await pods()).every((p) => p.spec.containers[0].image === bundle.spec.image)).toBe(true);
    // Every request now gets the new code.
    for (let i = 0; i < 10; i++) expect(JSON.parse((await fetchVia(platform.edgeUrl, tenant.host(script))).body).marker).toBe("v2-changed");
  });
});
