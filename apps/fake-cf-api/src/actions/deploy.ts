// Deployments: recording one (with the bounded deployment history), deploying versions on request (with the
// 10220 rollback confirmation), and the bounded version history.
import { randomUUID } from "node:crypto";
import { createdMs, type VersionShare, type WorkerDeployment, type WorkerScript, type WorkerVersion } from "@fireworkers/crd-types";
import { secretNamesOf } from "../domain/bindings.ts";
import { changedSecretsSince, prunable, prunableVersions, triggeredBy, validateSplit, type WireShare } from "../domain/deployments.ts";
import { Invalid, NotFound, secretsChanged } from "../domain/errors.ts";
import type { TokenRecord } from "../domain/tokens.ts";
import type { Context } from "../context.ts";
import { brief } from "../log.ts";

export interface DeployOptions {
  triggeredBy: string;
  message?: string;
  token: TokenRecord;
}

/**
 * Records a deployment (it is in force from now on: it gets the highest number), then trims the history.
 * `number` is a deployment number the caller already took from the script's counter (with `script` as
 * the counter write returned it); else one is taken here.
 */
export async function recordDeployment(ctx: Context, script: WorkerScript, split: VersionShare[], opts: DeployOptions, number?: number): Promise<WorkerDeployment> {
  const { stores, config } = ctx;
  const taken = number === undefined ? await stores.counters.next(script, "deployments") : { number, script };
  number = taken.number;
  const current = taken.script;
  const annotations: Record<string, string> = { "workers/triggered_by": opts.triggeredBy };
  if (opts.message) annotations["workers/message"] = opts.message;
  const deployment = await stores.deployments.create(
    current,
    {
      accountId: script.spec.accountId,
      scriptName: script.spec.scriptName,
      deploymentId: randomUUID(),
      strategy: "percentage",
      number,
      versions: split,
      annotations,
      source: "wrangler",
      authorEmail: opts.token.email,
    },
    new Date().toISOString(),
  );
  ctx.metrics.deployments.inc({ triggered_by: opts.triggeredBy });
  // Fewer deployments than the history size were ever made: nothing to trim.
  if (number <= config.deploymentHistory) return deployment;
  try {
    const pruned = prunable(await stores.deployments.list(current), config.deploymentHistory);
    await stores.deployments.delete(pruned);
    if (pruned.length) ctx.log.info({ script: script.metadata.name, pruned }, "pruned deployment history");
  } catch (err) {
    // History trimming is housekeeping: the next deployment retries it.
    ctx.log.warn({ err: brief(err), script: script.metadata.name }, "could not prune deployment history");
  }
  return deployment;
}

/**
 * After a new version: deletes the versions beyond the newest `versionHistory` that no kept deployment
 * references. Their finalizer makes the operator delete their S3 objects before they go. `number` is the
 * new version's: below the history size nothing can be beyond it, and nothing is listed.
 */
export async function pruneVersions(ctx: Context, script: WorkerScript, number: number): Promise<void> {
  const keep = ctx.config.versionHistory;
  if (number <= keep) return;
  try {
    const [versions, deployments] = await Promise.all([ctx.stores.versions.list(script), ctx.stores.deployments.list(script)]);
    const pruned = prunableVersions(versions, deployments, keep);
    await ctx.stores.versions.delete(pruned);
    if (pruned.length) ctx.log.info({ script: script.metadata.name, pruned }, "pruned version history");
  } catch (err) {
    // Housekeeping, like the deployment history: the next version retries it.
    ctx.log.warn({ err: brief(err), script: script.metadata.name }, "could not prune version history");
  }
}

export interface DeployRequest {
  accountId: string;
  scriptName: string;
  shares: WireShare[];
  /** Deploy even when secrets changed since the version being rolled back to (wrangler's retry after 10220). */
  force: boolean;
  message?: string;
  token: TokenRecord;
}

/** `versions deploy` and `rollback`: one version at 100% or a split between two. */
export async function deployVersions(ctx: Context, r: DeployRequest): Promise<WorkerDeployment> {
  const { stores } = ctx;
  const script = await stores.scripts.require(r.accountId, r.scriptName);
  let split;
  try {
    split = validateSplit(r.shares);
  } catch (err) {
    throw new Invalid(`body/${(err as Error).message}`);
  }
  const versions = new Map<string, WorkerVersion>();
  for (const share of split) {
    const version = await stores.versions.get(script, share.versionId);
    if (!version) throw new NotFound("version", share.versionId);
    versions.set(share.versionId, version);
  }
  const [current] = await stores.deployments.list(script);
  const currentNumbers = new Map<string, number>();
  for (const share of current?.spec.versions ?? []) {
    currentNumbers.set(share.versionId, (await stores.versions.get(script, share.versionId))?.spec.number ?? 0);
  }
  const trigger = triggeredBy(split, current, (id) => versions.get(id)?.spec.number ?? currentNumbers.get(id) ?? 0);
  // Secrets are script-scoped here: rolling back serves today's secrets with yesterday's code. Like
  // Cloudflare, a rollback across secret changes needs confirming (10220, then ?force=true).
  if (trigger === "rollback" && !r.force) {
    const secrets = await stores.secrets.read(script);
    const [target] = versions.values();
    const changed = changedSecretsSince(secretNamesOf(target!.spec.bindings), createdMs(target!), secrets.updated);
    if (changed.length) throw secretsChanged(changed);
  }
  return recordDeployment(ctx, script, split, { triggeredBy: trigger, message: r.message, token: r.token });
}
