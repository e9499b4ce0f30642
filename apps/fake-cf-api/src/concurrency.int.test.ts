// Two deploys of the same script at once, through two API replicas: both become versions with distinct
// numbers, and the deployment in force is the one with the highest number, the same for every reader.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { KINDS } from "@fireworkers/kube";
import { copyFixture, FIXTURES, listFor, setupAccounts, startApiInProcess, UUID, wrangler } from "./test/harness.ts";
import { call } from "./test/requests.ts";

const env = inject("env");
const namespace = "api-concurrency";
const acc = "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee";

describe("concurrent deploys", () => {
  let ctx: Awaited<ReturnType<typeof setupAccounts>>;
  let replicas: Awaited<ReturnType<typeof startApiInProcess>>[];
  const w1 = copyFixture(FIXTURES, "w1");
  const w1b = copyFixture(FIXTURES, "w1");

  beforeAll(async () => {
    ctx = await setupAccounts(env, namespace, [acc]);
    replicas = [await startApiInProcess(env, namespace), await startApiInProcess(env, namespace)];
  });
  afterAll(async () => Promise.all(replicas.map((r) => r.close())));

  const deployBoth = async () => {
    const runs = await Promise.all(
      [w1, w1b].map((cwd, i) => wrangler({ version: 4, env, cwd, apiUrl: replicas[i]!.url, token: ctx.tokens[acc]!, accountId: acc, args: ["deploy"] })),
    );
    for (const r of runs) expect(r.code, r.output).toBe(0);
    return runs.map((r) => r.output.match(new RegExp(`Current Version ID: (${UUID.source})`))![1]!);
  };

  const check = async (expectedVersions: number) => {
    const versions = await listFor(ctx.kube, KINDS.WorkerVersion, acc, "my-worker");
    expect(versions.length).toBe(expectedVersions);
    expect(new Set(versions.map((v) => v.spec.number)).size).toBe(expectedVersions);
    const deployments = (await listFor(ctx.kube, KINDS.WorkerDeployment, acc, "my-worker")).sort((a, b) => b.spec.number! - a.spec.number!);
    expect(new Set(deployments.map((d) => d.spec.number)).size).toBe(deployments.length);
    // Every replica answers the same deployment first, and it is the highest-numbered one.
    for (const r of replicas) {
      const res = await call(r.url, "GET", `/accounts/${acc}/workers/scripts/my-worker/deployments`, { token: ctx.tokens[acc] });
      const first = (res.body.result as { deployments: { id: string }[] }).deployments[0]!;
      expect(first.id).toBe(deployments[0]!.spec.deploymentId);
    }
    return deployments[0]!;
  };

  it("two first deploys of a new script both succeed under one WorkerScript", async () => {
    const ids = await deployBoth();
    expect(ids[0]).not.toBe(ids[1]);
    const inForce = await check(2);
    expect(ids).toContain(inForce.spec.versions[0]!.versionId);
  });

  it("two deploys of an existing script both become versions; the final deployment is one of them", async () => {
    const ids = await deployBoth();
    const inForce = await check(4);
    expect(inForce.spec.versions).toHaveLength(1);
    expect(ids).toContain(inForce.spec.versions[0]!.versionId);
  });

  it("two secret puts at once, one per replica: the version in force binds both secrets", async () => {
    const put = (i: number, name: string) =>
      call(replicas[i]!.url, "PUT", `/accounts/${acc}/workers/scripts/my-worker/secrets`, { token: ctx.tokens[acc], json: { name, text: `value-${name}`, type: "secret_text" } });
    const answers = await Promise.all([put(0, "RACE_A"), put(1, "RACE_B")]);
    // Either both succeed, or one is refused because the other's new version was not deployed yet (10215).
    const succeeded = answers.filter((a) => a.status === 200).length;
    expect(succeeded).toBeGreaterThan(0);
    const [inForce] = (await listFor(ctx.kube, KINDS.WorkerDeployment, acc, "my-worker")).sort((a, b) => b.spec.number! - a.spec.number!);
    const versions = await listFor(ctx.kube, KINDS.WorkerVersion, acc, "my-worker");
    const served = versions.find((v) => v.spec.versionId === inForce!.spec.versions[0]!.versionId)!;
    const bound = (served.spec.bindings ?? []).filter((b) => b.type === "secret_text").map((b) => b.name);
    expect(bound).toEqual(expect.arrayContaining(answers.flatMap((a, i) => (a.status === 200 ? [["RACE_A", "RACE_B"][i]!] : []))));
  });
});
