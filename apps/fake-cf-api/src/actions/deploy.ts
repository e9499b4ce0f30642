import { randomUUID } from "node:crypto";
import type { VersionShare, WorkerDeployment, WorkerScript } from "@fireworkers/crd-types";
import type { TokenRecord } from "../domain/tokens.ts";
import type { Deps } from "../deps.ts";
import { brief } from "../http/errors.ts";

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
export async function recordDeployment(deps: Deps, script: WorkerScript, split: VersionShare[], opts: DeployOptions, number?: number): Promise<WorkerDeployment> {
  const taken = number === undefined ? await deps.scripts.next(script, "deployments") : { number, script };
  number = taken.number;
  const current = taken.script;
  const annotations: Record<string, string> = { "workers/triggered_by": opts.triggeredBy };
  if (opts.message) annotations["workers/message"] = opts.message;
  const deployment = await deps.scripts.createDeployment(
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
  deps.metrics.deployments.inc({ triggered_by: opts.triggeredBy });
  // Fewer deployments than the history size were ever made: nothing to trim.
  if (number <= deps.config.deploymentHistory) return deployment;
  try {
    const pruned = await deps.scripts.pruneDeployments(current, deps.config.deploymentHistory);
    if (pruned.length) deps.log.info({ script: script.metadata.name, pruned }, "pruned deployment history");
  } catch (err) {
    // History trimming is housekeeping: the next deployment retries it.
    deps.log.warn({ err: brief(err), script: script.metadata.name }, "could not prune deployment history");
  }
  return deployment;
}
