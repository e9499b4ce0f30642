// Cloudflare's versions model served for real: `versions upload` + `versions deploy` 50/50 serves both
// versions (split by the platform's split worker), and `wrangler rollback` brings the previous one back alone.
import { eventually } from "@fireworkers/testenv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLUSTER_WAIT, e2eContext, fetchVia, newTenant, plainProject, untilAnswers, writeProject, type Tenant } from "./test/index.ts";

const { cluster, platform } = e2eContext();
const script = "canary";
const project = (label: string) => plainProject(script, `export default { fetch() { return new Response("${label}") } }\n`);
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

describe("versions upload / deploy / rollback", () => {
  let tenant: Tenant;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    tenant = await newTenant(cluster, platform, "versions");
  });
  afterAll(async () => tenant?.remove());

  /** Labels seen over `n` requests without a split key (random by percentage). */
  const sample = async (n: number) => {
    const seen = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const r = await fetchVia(platform.edgeUrl, tenant.host(script));
      seen.set(`${r.status} ${r.body}`, (seen.get(`${r.status} ${r.body}`) ?? 0) + 1);
    }
    return seen;
  };

  it("50/50 serves both versions; a split key always gets the same one", async () => {
    let r = await tenant.wrangler(writeProject(project("blue")), ["deploy"]);
    expect(r.code, r.output).toBe(0);
    ids.blue = r.output.match(new RegExp(`Current Version ID: (${UUID.source})`))![1]!;
    await untilAnswers(platform.edgeUrl, tenant.host(script), (b) => b === "blue");

    r = await tenant.wrangler(writeProject(project("green")), ["versions", "upload"]);
    expect(r.code, r.output).toBe(0);
    ids.green = r.output.match(new RegExp(`Worker Version ID: (${UUID.source})`))![1]!;
    // Uploaded, not deployed: still blue only.
    expect([...(await sample(10)).keys()]).toEqual(["200 blue"]);

    r = await tenant.wrangler(writeProject(project("green")), ["versions", "deploy", `${ids.blue}@50%`, `${ids.green}@50%`, "--yes"]);
    expect(r.code, r.output).toBe(0);
    const seen = await eventually("both versions to answer", async () => {
      const s = await sample(40);
      return s.get("200 blue") && s.get("200 green") ? s : undefined;
    }, CLUSTER_WAIT);
    expect([...seen.keys()].sort()).toEqual(["200 blue", "200 green"]);
    const sticky = new Set<string>();
    for (let i = 0; i < 10; i++) sticky.add((await fetchVia(platform.edgeUrl, tenant.host(script), "/", { "x-fireworkers-split-key": "user-42" })).body);
    expect(sticky.size).toBe(1);
  });

  it("wrangler rollback serves the previous deployment's version alone", async () => {
    // The previous deployment is blue at 100%.
    const r = await tenant.wrangler(writeProject(project("green")), ["rollback", "--message", "e2e rollback", "--yes"]);
    expect(r.code, r.output).toBe(0);
    await eventually("only blue to answer", async () => {
      const s = await sample(20);
      return s.size === 1 && s.get("200 blue") === 20;
    }, CLUSTER_WAIT);
  });
});
