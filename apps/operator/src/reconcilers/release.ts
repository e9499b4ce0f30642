// WorkerRelease: the JobBuilder for the release's exact set, and the release's build status.
import { LABELS, type JobBuilder } from "@fireworkers/crd-types";
import { BUILD_ANNOTATION, hasSucceeded } from "../desired/bundle.ts";
import { newestFirst } from "../desired/common.ts";
import { desiredJobBuilder } from "../desired/job-builder.ts";
import { applyIfChanged, applyStatusIfChanged, deleteObject, settleAll } from "../runtime/apply.ts";
import { setCondition, type ConditionInput } from "../runtime/conditions.ts";
import type { ReconcileContext } from "./context.ts";

export async function reconcileRelease(ctx: ReconcileContext, name: string): Promise<void> {
  const release = ctx.caches.releases.get(name);
  if (!release || release.metadata.deletionTimestamp) return;
  // The account's versions only: a build may stand in an identical older version for a deployed one.
  const versions = new Map(ctx.caches.versions.ofAccount(release.spec.accountId).map((v) => [v.metadata.name, v]));
  const wanted = desiredJobBuilder(release, versions, ctx.config);
  const observed = wanted && ctx.caches.jobBuilders.get(wanted.metadata.name);
  // A JobBuilder's spec is immutable and fully determined by its name: create it once, never rewrite it.
  // Created before the status write: were the status event to come back first, the JobBuilder might
  // not be in the cache yet and would be sent again.
  if (wanted && !observed) await applyIfChanged(ctx, wanted, undefined);

  const builds = ctx.caches.jobBuilders.ofAccount(release.spec.accountId).filter((b) => b.metadata.ownerReferences?.some((r) => r.uid === release.metadata.uid));
  const pruning = pruneBuilds(ctx, release.spec.accountId, builds, wanted?.metadata.name);

  const build = observed ?? wanted;
  const failed = build?.status?.conditions?.find((c) => c.type === "Failed" && c.status === "True");
  const done = observed !== undefined && hasSucceeded(observed);
  const ready: ConditionInput = !build
    ? { type: "Ready", status: "True", reason: "NothingDeployed", message: "no script is deployed" }
    : done
      ? { type: "Ready", status: "True", reason: "Built", message: `image ${observed.status!.image}` }
      : failed
        ? { type: "Ready", status: "False", reason: "BuildFailed", message: failed.message }
        : { type: "Ready", status: "False", reason: "Building", message: `JobBuilder ${build.metadata.name} is building` };
  let conditions = setCondition(release.status?.conditions, ready, release.metadata.generation, ctx.now());
  conditions = setCondition(
    conditions,
    { type: "Progressing", status: build && !done && !failed ? "True" : "False", reason: ready.reason, message: ready.message },
    release.metadata.generation,
    ctx.now(),
  );
  const writingStatus = applyStatusIfChanged(
    ctx,
    { kind: "WorkerRelease", plural: "workerreleases", name },
    {
      observedGeneration: release.metadata.generation,
      conditions,
      jobBuilderName: build?.metadata.name,
      inputHash: build?.spec.inputHash,
      image: done ? observed.status!.image : undefined,
    },
    release,
    ["observedGeneration", "conditions", "jobBuilderName", "inputHash", "image"],
  );
  await settleAll([pruning, writingStatus]);
}

/** Keeps the current build, the one the bundle serves, and the newest `keepBuilds` others. */
async function pruneBuilds(ctx: ReconcileContext, accountId: string, builds: JobBuilder[], current: string | undefined): Promise<void> {
  const account = ctx.caches.accounts.get(accountId);
  const bundle = account && ctx.caches.bundles.get(account.spec.workerBundleName);
  const keep = new Set([current, bundle?.metadata.annotations?.[BUILD_ANNOTATION]]);
  const others = newestFirst(builds.filter((b) => !keep.has(b.metadata.name) && !b.metadata.deletionTimestamp));
  await settleAll(
    others
      .slice(ctx.config.keepBuilds)
      .filter((stale) => stale.metadata.labels?.[LABELS.account] === accountId)
      .map((stale) => deleteObject(ctx, stale)),
  );
}
