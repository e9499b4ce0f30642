// WorkerAccount: the account's WorkerRelease (what should run) and WorkerBundle (what runs now).
import { type WorkerAccount, type WorkerBundle } from "@fireworkers/crd-types";
import { desiredBundle, servedBuild } from "../desired/bundle.ts";
import { desiredRelease } from "../desired/release.ts";
import { credentialSecret } from "../desired/bindings.ts";
import { bindingsCredentialSecretName } from "@fireworkers/bindings-auth";
import { applyIfChanged, applyStatusIfChanged, deleteObject, settleAll } from "../runtime/apply.ts";
import { setCondition } from "../runtime/conditions.ts";
import type { ReconcileContext } from "./context.ts";

export async function reconcileAccount(ctx: ReconcileContext, name: string): Promise<void> {
  const account = ctx.caches.accounts.get(name);
  if (!account || account.metadata.deletionTimestamp) return; // children go with it (ownerReferences)
  const { caches } = ctx;

  // The API makes them owned by their WorkerScript, itself owned by the account: deleting the account deletes them.
  const versions = caches.versions.ofAccount(name);
  const deployments = caches.deployments.ofAccount(name);

  const release = desiredRelease(account, deployments, new Map(versions.map((v) => [v.metadata.name, v])));
  const observedRelease = caches.releases.get(release.metadata.name);
  // While some upload still awaits its S3 check, the set is about to change again: building the
  // intermediate set would be wasted work. The check's status update brings us back here.
  const unverified = versions.some((v) => !v.metadata.deletionTimestamp && !v.status?.conditions?.some((c) => c.type === "Ready"));

  const builds = caches.jobBuilders.ofAccount(name);
  const served = servedBuild({ ...release, status: observedRelease?.status }, builds);
  const bundle = desiredBundle(account, served, ctx.config);
  const observedBundle = caches.bundles.get(bundle.metadata.name);

  // The account's status only says whether its bundle serves: the bundle's own Ready condition has the
  // details (no image yet, rolling out), which are not repeated here, so that each step of a rollout
  // does not also rewrite every account.
  const bundleReady = observedBundle?.status?.conditions?.find((c) => c.type === "Ready");
  const conditions = setCondition(
    account.status?.conditions,
    bundleReady?.status === "True"
      ? { type: "Ready", status: "True", reason: "Serving", message: `bundle ${bundle.metadata.name} serves ${bundle.spec.workers?.length ?? 0} worker(s)` }
      : { type: "Ready", status: "False", reason: "BundleNotReady", message: `bundle ${bundle.metadata.name} is not serving yet (see its Ready condition)` },
    account.metadata.generation,
    ctx.now(),
  );

  // The children first, side by side (one round trip); the status after them: were its own watch event
  // to come back before a new child's, the child would not be in the cache yet and would be sent again.
  await settleAll([
    unverified ? undefined : applyIfChanged(ctx, release, observedRelease),
    applyIfChanged(ctx, bundle, observedBundle),
    // The credential the account's bundle pods present to the bindings gateway (their Deployment reads it).
    ctx.bindings.key ? applyIfChanged(ctx, credentialSecret(account, ctx.bindings.key), ctx.caches.credentials.get(bindingsCredentialSecretName(name))) : undefined,
    // A renamed spec.workerBundleName leaves the old bundle behind: remove it.
    ...caches.bundles
      .ofAccount(name)
      .filter((b) => b.metadata.name !== bundle.metadata.name && ownedBy(b, account))
      .map((stale) => deleteObject(ctx, stale)),
  ]);
  await applyStatusIfChanged(
    ctx,
    { kind: "WorkerAccount", plural: "workeraccounts", name },
    { observedGeneration: account.metadata.generation, conditions, bundleName: bundle.metadata.name, releaseName: release.metadata.name },
    account,
  );
}

const ownedBy = (o: WorkerBundle, owner: WorkerAccount) => o.metadata.ownerReferences?.some((r) => r.uid === owner.metadata.uid) === true;

