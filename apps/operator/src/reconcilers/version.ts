// WorkerVersion: verify the version's S3 objects once (Ready), and on deletion remove them before
// letting the object go (finalizer).
import { DeleteObjectsCommand, HeadObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { moduleKey, versionPrefix } from "@fireworkers/storage";
import { S3_FINALIZER, type WorkerVersion } from "@fireworkers/crd-types";
import { KINDS } from "@fireworkers/kube";
import { applyStatusIfChanged } from "../runtime/apply.ts";
import { TerminalError } from "../runtime/controller.ts";
import { setCondition } from "../runtime/conditions.ts";
import type { ReconcileContext } from "./context.ts";


export async function reconcileVersion(ctx: ReconcileContext, name: string): Promise<void> {
  const version = ctx.caches.versions.get(name);
  if (!version) return;
  if (version.metadata.deletionTimestamp) {
    if (version.metadata.finalizers?.includes(S3_FINALIZER)) await releaseObjects(ctx, version);
    return;
  }
  const generation = version.metadata.generation;
  const ready = version.status?.conditions?.find((c) => c.type === "Ready");
  // The spec is immutable: once checked for this generation, there is nothing more to look at.
  if (ready && ready.observedGeneration === generation) return;

  const missing = await missingModules(ctx, version);
  const conditions = setCondition(
    version.status?.conditions,
    missing.length === 0
      ? { type: "Ready", status: "True", reason: "ObjectsVerified", message: `${version.spec.modules.length} module(s) present in S3` }
      : { type: "Ready", status: "False", reason: "S3ObjectsMissing", message: `missing or truncated in s3://${version.spec.storage.bucket}: ${missing.join(", ")}`.slice(0, 2000) },
    generation,
    ctx.now(),
  );
  const changed = await applyStatusIfChanged(
    ctx,
    { kind: "WorkerVersion", plural: "workerversions", name },
    { observedGeneration: generation, conditions },
    version,
  );
  if (changed && missing.length > 0) {
    await ctx.kube.event(version, "Warning", "S3ObjectsMissing", `modules missing in S3: ${missing.join(", ")}`.slice(0, 1000), { signal: ctx.signal });
  }
}

async function missingModules(ctx: ReconcileContext, version: WorkerVersion): Promise<string[]> {
  const { bucket, prefix } = version.spec.storage;
  const results = await Promise.all(
    version.spec.modules.map(async (m) => {
      try {
        const head = await ctx.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: moduleKey(prefix, m.name) }), { abortSignal: ctx.signal });
        return head.ContentLength === m.size ? undefined : m.name;
      } catch (err) {
        // Only a definite "not there" counts as missing; anything else is retried with backoff.
        if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return m.name;
        throw err;
      }
    }),
  );
  return results.filter((n): n is string => n !== undefined);
}

/** Deletes every object under the version's prefix, then removes the finalizer. */
async function releaseObjects(ctx: ReconcileContext, version: WorkerVersion): Promise<void> {
  const { bucket, prefix } = version.spec.storage;
  const own = versionPrefix(version.spec.accountId, version.spec.scriptName, version.metadata.name);
  // The CRD's CEL rule already ties the prefix to the version; a hand-made object that slipped past it
  // must never make the operator delete another version's (or account's) objects.
  if (prefix !== own || bucket !== ctx.bucket) {
    throw new TerminalError("ForeignStoragePrefix", `not deleting s3://${bucket}/${prefix}: a version owns only s3://${ctx.bucket}/${own}`);
  }
  let deleted = 0;
  for (;;) {
    const page = await ctx.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: 1000 }), { abortSignal: ctx.signal });
    const keys = (page.Contents ?? []).map((o) => ({ Key: o.Key! }));
    if (keys.length === 0) break;
    const result = await ctx.s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }), { abortSignal: ctx.signal });
    if (result.Errors?.length) throw new Error(`S3 refused to delete ${result.Errors.length} object(s): ${result.Errors[0]?.Message}`);
    deleted += keys.length;
  }
  ctx.metrics.writes.inc({ verb: "remove-finalizer", kind: "WorkerVersion" });
  await ctx.kube.mergePatch(KINDS.WorkerVersion, version.metadata.name, {
    metadata: { resourceVersion: version.metadata.resourceVersion, finalizers: (version.metadata.finalizers ?? []).filter((f) => f !== S3_FINALIZER) },
  }, { signal: ctx.signal });
  ctx.log.info({ version: version.metadata.name, script: version.spec.scriptName, deleted }, "deleted the version's S3 objects");
}
