// WorkerBundle: the Deployment, Service and Ingress that serve the bundle's image, and whether the
// rollout of that image is complete.
import type { KubeObject, Deployment, Secret } from "@fireworkers/kube";
import { createdMs, LABELS, type WorkerBundle } from "@fireworkers/crd-types";
import { BUILD_ANNOTATION } from "../desired/bundle.ts";
import { desiredWorkloads } from "../desired/workloads.ts";
import { applyIfChanged, applyStatusIfChanged, deleteObject, settleAll } from "../runtime/apply.ts";
import { setCondition, type ConditionInput } from "../runtime/conditions.ts";
import type { ReconcileContext } from "./context.ts";

export async function reconcileBundle(ctx: ReconcileContext, name: string): Promise<void> {
  const bundle = ctx.caches.bundles.get(name);
  if (!bundle || bundle.metadata.deletionTimestamp) return;
  const { caches } = ctx;
  const secrets = new Map<string, Secret>();
  for (const w of bundle.spec.workers ?? []) {
    const secret = w.secretRef ? caches.secrets.get(w.secretRef) : undefined;
    if (secret) secrets.set(w.secretRef!, secret);
  }
  const observed = { deployment: caches.workloads.get(name), service: caches.services.get(name), ingress: caches.ingresses.get(name) };
  const wanted = desiredWorkloads(bundle, secrets, ctx.config);
  // The three are independent: one round trip for all of them.
  await settleAll(
    (["deployment", "service", "ingress"] as const).map((key) => {
      const live = observed[key] as KubeObject | undefined;
      if (wanted) return applyIfChanged(ctx, wanted[key], live);
      return live && ownedBy(live, bundle) ? deleteObject(ctx, live) : undefined;
    }),
  );

  const serving = rolloutComplete(observed.deployment, bundle) ? bundle.spec.image : undefined;
  const ready: ConditionInput = !bundle.spec.image
    ? { type: "Ready", status: "False", reason: "NoImage", message: "no build has succeeded for the deployed scripts yet" }
    : serving
      ? { type: "Ready", status: "True", reason: "RolloutComplete", message: `${observed.deployment?.status?.readyReplicas ?? 0} pod(s) serve ${serving}` }
      : { type: "Ready", status: "False", reason: "RollingOut", message: `rolling out ${bundle.spec.image}` };
  const conditions = setCondition(bundle.status?.conditions, ready, bundle.metadata.generation, ctx.now());
  const changed = await applyStatusIfChanged(
    ctx,
    { kind: "WorkerBundle", plural: "workerbundles", name },
    { observedGeneration: bundle.metadata.generation, conditions, readyReplicas: observed.deployment?.status?.readyReplicas ?? 0, servingImage: serving },
    bundle,
  );
  if (changed && serving && serving !== bundle.status?.servingImage) observeDeployToReady(ctx, bundle);
}

const ownedBy = (o: KubeObject, bundle: WorkerBundle) => o.metadata?.ownerReferences?.some((r) => r.uid === bundle.metadata.uid) === true;

/** Every replica runs the bundle's current image and is ready. */
function rolloutComplete(deployment: Deployment | undefined, bundle: WorkerBundle): boolean {
  if (!deployment?.spec || !deployment.status) return false;
  const replicas = deployment.spec.replicas ?? 1;
  const image = deployment.spec.template.spec?.containers[0]?.image;
  return (
    image === bundle.spec.image &&
    (deployment.status.observedGeneration ?? 0) >= (deployment.metadata?.generation ?? 0) &&
    (deployment.status.updatedReplicas ?? 0) === replicas &&
    (deployment.status.readyReplicas ?? 0) === replicas &&
    (deployment.status.replicas ?? 0) === replicas
  );
}

/**
 * Deploy-to-ready: from the upload of each version the new rollout brought in (not served by the
 * previous image) to the moment the rollout completed.
 */
function observeDeployToReady(ctx: ReconcileContext, bundle: WorkerBundle): void {
  const builds = ctx.caches.jobBuilders.ofAccount(bundle.metadata.labels?.[LABELS.account] ?? "");
  const build = builds.find((b) => b.metadata.name === bundle.metadata.annotations?.[BUILD_ANNOTATION]);
  const previous = bundle.status?.servingImage && builds.find((b) => b.status?.image === bundle.status!.servingImage);
  const alreadyServed = new Set(previous ? previous.spec.scripts.flatMap((s) => s.versions.map((v) => v.versionId)) : []);
  const now = ctx.now().getTime();
  for (const script of build?.spec.scripts ?? []) {
    for (const v of script.versions) {
      if (alreadyServed.has(v.versionId)) continue;
      const version = ctx.caches.versions.get(v.versionId);
      const since = version && createdMs(version);
      if (since) ctx.metrics.deployToReady.observe(Math.max(0, (now - since) / 1000));
    }
  }
}
