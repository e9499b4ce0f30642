// WorkerKVNamespace: its data lives in S3 under its own prefix; on deletion (its own, or its account's through
// the owner reference) the prefix is emptied, then the finalizer removed so the object goes.
import { S3_FINALIZER } from "@fireworkers/crd-types";
import { KINDS } from "@fireworkers/kube";
import { KvStore } from "@fireworkers/kv-store";
import type { ReconcileContext } from "./context.ts";

export async function reconcileKvNamespace(ctx: ReconcileContext, name: string): Promise<void> {
  const ns = ctx.caches.kvNamespaces.get(name);
  if (!ns?.metadata.deletionTimestamp || !ns.metadata.finalizers?.includes(S3_FINALIZER)) return;
  // The prefix derives from the object's own name and account (libs/storage refuses any other shape), so a
  // hand-made object can never make the operator delete another namespace's (or account's) objects.
  const deleted = await new KvStore(ctx.s3, ctx.bucket).deleteAll({ accountId: ns.spec.accountId, namespaceId: ns.metadata.name });
  ctx.metrics.writes.inc({ verb: "remove-finalizer", kind: "WorkerKVNamespace" });
  await ctx.kube.mergePatch(KINDS.WorkerKVNamespace, ns.metadata.name, {
    metadata: { resourceVersion: ns.metadata.resourceVersion, finalizers: ns.metadata.finalizers.filter((f) => f !== S3_FINALIZER) },
  });
  ctx.log.info({ namespace: ns.metadata.name, account: ns.spec.accountId, deleted }, "deleted the KV namespace's S3 objects");
}
