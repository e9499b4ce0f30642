// JobBuilder: run its build Job and record how it ended. The job-builder program itself writes the
// pushed image (status.image/imageDigest, its own field manager); the Job watch tells us it is over.
import type { JobBuilder } from "@fireworkers/crd-types";
import { desiredBuildJob, jobOutcome } from "../desired/build-job.ts";
import { applyIfChanged, applyStatusIfChanged } from "../runtime/apply.ts";
import { setCondition } from "../runtime/conditions.ts";
import type { ReconcileResult } from "../runtime/controller.ts";
import type { ReconcileContext } from "./context.ts";

const OWNED_STATUS = ["observedGeneration", "conditions", "jobName", "startTime", "completionTime"];

export async function reconcileJobBuilder(ctx: ReconcileContext, name: string): Promise<ReconcileResult> {
  const jb = ctx.caches.jobBuilders.get(name);
  if (!jb || jb.metadata.deletionTimestamp) return;
  const finished = jb.status?.conditions?.some((c) => (c.type === "Succeeded" || c.type === "Failed") && c.status === "True");
  // After the Job's TTL removes it, the recorded outcome stands: never run the same build again.
  if (finished) return;

  const job = ctx.caches.jobs.get(name);
  // Created before the status write: were the status event to come back first, the Job might not be in
  // the cache yet and would be sent again.
  if (!job) await applyIfChanged(ctx, desiredBuildJob(jb, ctx.config), undefined);
  const outcome = jobOutcome(job);
  const now = ctx.now();
  const generation = jb.metadata.generation;
  let conditions = jb.status?.conditions;
  let completionTime: string | undefined;
  let result: ReconcileResult = undefined;

  if (outcome.state === "succeeded" && !jb.status?.image) {
    // The program reports the image before it exits; its status event may trail the Job's.
    conditions = setCondition(conditions, { type: "Progressing", status: "True", reason: "AwaitingDigest", message: "the Job completed; waiting for the pushed image digest" }, generation, now);
    result = { requeueAfterMs: 5_000 };
  } else if (outcome.state === "succeeded") {
    completionTime = outcome.at ?? now.toISOString();
    conditions = setCondition(conditions, { type: "Succeeded", status: "True", reason: "Pushed", message: `pushed ${jb.status!.image}` }, generation, now);
    conditions = setCondition(conditions, { type: "Progressing", status: "False", reason: "Pushed", message: "" }, generation, now);
    conditions = setCondition(conditions, { type: "Ready", status: "True", reason: "Pushed", message: jb.status!.image! }, generation, now);
  } else if (outcome.state === "failed") {
    completionTime = outcome.at ?? now.toISOString();
    conditions = setCondition(conditions, { type: "Failed", status: "True", reason: outcome.reason, message: outcome.message }, generation, now);
    conditions = setCondition(conditions, { type: "Progressing", status: "False", reason: outcome.reason, message: "" }, generation, now);
    conditions = setCondition(conditions, { type: "Ready", status: "False", reason: outcome.reason, message: outcome.message }, generation, now);
  } else {
    conditions = setCondition(conditions, { type: "Progressing", status: "True", reason: "Building", message: `Job ${name} is running` }, generation, now);
    conditions = setCondition(conditions, { type: "Ready", status: "False", reason: "Building", message: `Job ${name} is running` }, generation, now);
  }

  const startTime = jb.status?.startTime ?? jb.metadata.creationTimestamp;
  const changed = await applyStatusIfChanged(
    ctx,
    { kind: "JobBuilder", plural: "jobbuilders", name },
    { observedGeneration: generation, conditions, jobName: name, startTime, completionTime },
    jb,
    OWNED_STATUS,
  );
  if (changed && completionTime) await recordOutcome(ctx, jb, outcome.state === "succeeded", completionTime, outcome);
  return result;
}

async function recordOutcome(ctx: ReconcileContext, jb: JobBuilder, ok: boolean, completionTime: string, outcome: ReturnType<typeof jobOutcome>) {
  const seconds = (Date.parse(completionTime) - Date.parse(jb.metadata.creationTimestamp ?? completionTime)) / 1000;
  ctx.metrics.buildDuration.observe({ result: ok ? "succeeded" : "failed" }, Math.max(0, seconds));
  if (ok) {
    await ctx.kube.event(jb, "Normal", "BuildSucceeded", `pushed ${jb.status?.image}`, { signal: ctx.signal });
  } else {
    const message = outcome.state === "failed" ? `${outcome.reason}: ${outcome.message}` : "the build failed";
    await ctx.kube.event(jb, "Warning", "BuildFailed", `${message}; the previous bundle keeps serving`, { signal: ctx.signal });
    ctx.log.warn({ jobBuilder: jb.metadata.name, account: jb.spec.accountId, message }, "build failed");
  }
}
