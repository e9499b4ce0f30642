// Quotas (WorkerAccount.spec.quotas) with the real wrangler 4: over a limit, wrangler prints Cloudflare's
// code and message, and nothing is written — no WorkerScript, WorkerVersion or Secret change, no S3 object.
// The account sets low limits; a second account without quotas shows the defaults (Cloudflare's) apply.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { scriptSecretName } from "@fireworkers/crd-types";
import { KINDS } from "@fireworkers/kube";
import { copyFixture, FIXTURES, listFor, s3Keys, setupAccounts, startApiInProcess, wrangler } from "./test/harness.ts";

const env = inject("env");
const namespace = "api-quotas";
const acc = "9a9a9a9a9a9a9a9a9a9a9a9a9a9a9a9a";

describe("quotas on the WorkerAccount", () => {
  let ctx: Awaited<ReturnType<typeof setupAccounts>>;
  let api: Awaited<ReturnType<typeof startApiInProcess>>;
  const w1 = copyFixture(FIXTURES, "w1");
  const run = (args: string[], input?: string) => wrangler({ version: 4, env, cwd: w1, apiUrl: api.url, token: ctx.tokens[acc]!, accountId: acc, args, input });

  beforeAll(async () => {
    ctx = await setupAccounts(env, namespace, [acc]);
    await ctx.kube.mergePatch(KINDS.WorkerAccount, acc, { spec: { quotas: { scripts: 1, secretsPerScript: 1, versionsKept: 2 } } });
    api = await startApiInProcess(env, namespace);
  });
  afterAll(async () => api?.close());

  it("refuses a second Worker over `scripts` with 10037, and writes nothing for it", async () => {
    const first = await run(["deploy", "--name", "first"]);
    expect(first.code, first.output).toBe(0);
    const second = await run(["deploy", "--name", "second"]);
    expect(second.code, second.output).not.toBe(0);
    expect(second.output).toContain("You have exceeded the limit of 1 Workers on your account. [code: 10037]");
    expect(await listFor(ctx.kube, KINDS.WorkerScript, acc, "second")).toEqual([]);
    expect(await listFor(ctx.kube, KINDS.WorkerVersion, acc, "second")).toEqual([]);
    expect(await s3Keys(ctx.s3, env.s3.bucket, `accounts/${acc}/scripts/second/`)).toEqual([]);
  });

  it("refuses a secret over `secretsPerScript` with 10053, leaving the secrets and versions as they were", async () => {
    const put = await run(["secret", "put", "ONE", "--name", "first"], "1\n");
    expect(put.code, put.output).toBe(0);
    const versionsBefore = (await listFor(ctx.kube, KINDS.WorkerVersion, acc, "first")).map((v) => v.spec.versionId).sort();
    const secretBefore = await ctx.kube.get(KINDS.Secret, scriptSecretName(acc, "first"));

    const over = await run(["secret", "put", "TWO", "--name", "first"], "2\n");
    expect(over.code, over.output).not.toBe(0);
    expect(over.output).toContain("You have exceeded the limit of 1 secrets (environment variables) on this Worker. [code: 10053]");
    const secretAfter = await ctx.kube.get(KINDS.Secret, scriptSecretName(acc, "first"));
    expect(Object.keys(secretAfter!.data ?? {})).toEqual(["ONE"]);
    expect(secretAfter!.metadata!.resourceVersion).toBe(secretBefore!.metadata!.resourceVersion);
    expect((await listFor(ctx.kube, KINDS.WorkerVersion, acc, "first")).map((v) => v.spec.versionId).sort()).toEqual(versionsBefore);

    // Replacing the one secret stays within the quota.
    const again = await run(["secret", "put", "ONE", "--name", "first"], "3\n");
    expect(again.code, again.output).toBe(0);
  });

  it("keeps `versionsKept` versions per script (the account's, not VERSION_HISTORY's 100)", async () => {
    for (let i = 0; i < 3; i++) {
      const r = await run(["versions", "upload", "--name", "first"]);
      expect(r.code, r.output).toBe(0);
    }
    const all = (await listFor(ctx.kube, KINDS.WorkerVersion, acc, "first")).sort((a, b) => a.spec.number - b.spec.number);
    // v1-v3 were deployed (deploy, two secret puts) and their deployments are kept; of the three uploads
    // only the newest two stay: v4 is being deleted (its S3 finalizer waits for the operator).
    expect(all.map((v) => v.spec.number)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(all.filter((v) => v.metadata?.deletionTimestamp).map((v) => v.spec.number)).toEqual([4]);
  });
});
