// The operator runs 2 replicas with a Lease: killing the leader (SIGKILL, no graceful release) in the middle
// of a deploy only delays it. The other replica takes the Lease when it expires and finishes the deploy.
import { eventually } from "@fireworkers/testenv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLUSTER_WAIT, e2eContext, newTenant, plainProject, untilAnswers, writeProject, type Tenant } from "./test/index.ts";

const { cluster, platform, kube } = e2eContext();
const script = "survivor";

describe("operator leader killed during a deploy", () => {
  let tenant: Tenant;
  beforeAll(async () => {
    tenant = await newTenant(cluster, platform, "failover");
    await kube.run(["rollout", "status", "deployment/fireworkers-operator", "--timeout=180s"]);
  });
  afterAll(async () => tenant?.remove());

  const holder = async () => (await kube.get("lease", "fireworkers-operator"))?.spec?.holderIdentity as string | undefined;

  it("the deploy completes under the new leader", async () => {
    const leader = await eventually("a leader", holder, CLUSTER_WAIT);
    const r = await tenant.wrangler(writeProject(plainProject(script, `export default { fetch() { return new Response("made it") } }\n`)), ["deploy"]);
    expect(r.code, r.output).toBe(0);
    // Killed right after the API accepted the deploy: the operator has at most started on it.
    await kube.run(["delete", "pod", leader, "--grace-period=0", "--force", "--wait=false"]);

    const body = await untilAnswers(platform.edgeUrl, tenant.host(script), (b) => b === "made it", 180_000);
    expect(body).toBe("made it");
    const next = await eventually("a new leader", async () => {
      const h = await holder();
      return h && h !== leader ? h : undefined;
    }, CLUSTER_WAIT);
    expect(next).not.toBe(leader);
    // The Deployment replaced the killed pod: two replicas again.
    await kube.run(["rollout", "status", "deployment/fireworkers-operator", "--timeout=180s"]);
  });
});
