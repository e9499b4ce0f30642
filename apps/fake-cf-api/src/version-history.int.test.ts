// Bounded version history: with VERSION_HISTORY=2 (and DEPLOYMENT_HISTORY=2), each new version deletes the
// versions beyond the newest two that no kept deployment references, and never one a kept deployment does.
// A deleted version keeps its S3 finalizer: no operator runs in these tests, so what is asserted is the
// state the operator acts on (deletionTimestamp set, `api.cf-worker/s3-objects` still there, S3 objects
// still present for it to delete); the operator's own tests cover what it does with a finalizer.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { S3_FINALIZER } from "@fireworkers/crd-types";
import { KINDS } from "@fireworkers/kube";
import { metadataKey } from "@fireworkers/storage";
import { listFor, s3Keys, setupAccounts, startApiInProcess } from "./test/harness.ts";
import { call, helloModule, uploadForm } from "./test/requests.ts";

const env = inject("env");
const namespace = "api-version-history";
const acc = "abababababababababababababababab";
const script = "pruned";
const meta = { main_module: "index.js", bindings: [], compatibility_date: "2025-01-01" };

describe("version history", () => {
  let ctx: Awaited<ReturnType<typeof setupAccounts>>;
  let api: Awaited<ReturnType<typeof startApiInProcess>>;
  /** Version ids by number (v[1] is the first upload). */
  const v: string[] = [""];

  beforeAll(async () => {
    ctx = await setupAccounts(env, namespace, [acc]);
    api = await startApiInProcess(env, namespace, { VERSION_HISTORY: "2", DEPLOYMENT_HISTORY: "2" });
  });
  afterAll(async () => api?.close());

  const path = `/accounts/${acc}/workers/scripts/${script}`;
  const upload = async (mode: "script" | "version") => {
    const res = await call(api.url, mode === "script" ? "PUT" : "POST", mode === "script" ? path : `${path}/versions`, {
      token: ctx.tokens[acc],
      body: uploadForm(meta, [{ ...helloModule, content: `export default { fetch() { return new Response('${v.length}') } }` }]),
    });
    expect(res.body.success, JSON.stringify(res.body)).toBe(true);
    const result = res.body.result as { id: string; deployment_id: string };
    v.push(mode === "script" ? result.deployment_id : result.id);
  };
  const deploy = async (versionId: string) => {
    const res = await call(api.url, "POST", `${path}/deployments`, { token: ctx.tokens[acc], json: { strategy: "percentage", versions: [{ version_id: versionId, percentage: 100 }] } });
    expect(res.body.success, JSON.stringify(res.body)).toBe(true);
  };
  /** Live version ids, sorted by number; and the ones being deleted. */
  const state = async () => {
    const all = (await listFor(ctx.kube, KINDS.WorkerVersion, acc, script)).sort((a, b) => a.spec.number - b.spec.number);
    return {
      live: all.filter((o) => !o.metadata.deletionTimestamp).map((o) => o.spec.versionId),
      deleting: all.filter((o) => o.metadata.deletionTimestamp),
    };
  };
  const listed = async () => {
    const res = await call(api.url, "GET", `${path}/versions`, { token: ctx.tokens[acc] });
    return (res.body.result as { items: { id: string }[] }).items.map((i) => i.id);
  };

  it("keeps the newest N plus what kept deployments reference, and leaves the S3 objects of the others to the finalizer", async () => {
    await upload("script"); // v1, deployed (d1)
    await upload("version"); // v2
    await upload("version"); // v3: v1 is beyond the newest two but d1 (in force) references it
    expect((await state()).live).toEqual([v[1], v[2], v[3]]);

    await upload("version"); // v4: v2 goes
    let s = await state();
    expect(s.live).toEqual([v[1], v[3], v[4]]);
    expect(s.deleting.map((o) => o.spec.versionId)).toEqual([v[2]]);

    await deploy(v[4]!); // d2; d1 is still in the history of two
    await upload("version"); // v5: v3 goes, v1 stays (d1 kept)
    expect((await state()).live).toEqual([v[1], v[4], v[5]]);

    await deploy(v[5]!); // d3; d1 falls out of the deployment history
    await upload("version"); // v6: v1 goes now; v4 stays (d2 kept)
    s = await state();
    expect(s.live).toEqual([v[4], v[5], v[6]]);
    expect(await listed()).toEqual([v[6], v[5], v[4]]);

    // Deleted, not gone: each still holds the S3 finalizer, and its objects wait for the operator.
    expect(s.deleting.map((o) => o.spec.versionId).sort()).toEqual([v[1], v[2], v[3]].sort());
    for (const o of s.deleting) {
      expect(o.metadata.finalizers).toEqual([S3_FINALIZER]);
      expect(await s3Keys(ctx.s3, env.s3.bucket, o.spec.storage.prefix)).toContain(metadataKey(o.spec.storage.prefix));
    }
  });
});
