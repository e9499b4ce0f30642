import {
  API_VERSION,
  deploymentsNewestFirst,
  LABELS,
  type WorkerAccount,
  type WorkerDeployment,
  type WorkerRelease,
  type WorkerReleaseSpec,
  type WorkerVersion,
} from "@fireworkers/crd-types";
import { controllerRef, isDeleting, managedLabels } from "./common.ts";

/** A version can be served once it exists, is not being deleted, and its S3 objects were verified. */
export const isServable = (v: WorkerVersion | undefined): v is WorkerVersion =>
  Boolean(v && !isDeleting(v) && v.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"));

/**
 * The account's desired set: per script, the newest deployment whose versions are all servable.
 * A newer deployment waiting for its versions' S3 check leaves the previous one in force meanwhile.
 */
export function desiredReleaseScripts(deployments: WorkerDeployment[], versions: ReadonlyMap<string, WorkerVersion>): NonNullable<WorkerReleaseSpec["scripts"]> {
  const inForce = new Map<string, WorkerDeployment>();
  for (const d of deploymentsNewestFirst(deployments.filter((d) => !isDeleting(d)))) {
    if (inForce.has(d.spec.scriptName)) continue;
    if (d.spec.versions.every((v) => isServable(versions.get(v.versionId)))) inForce.set(d.spec.scriptName, d);
  }
  return [...inForce.values()]
    .sort((a, b) => a.spec.scriptName.localeCompare(b.spec.scriptName))
    .map((d) => ({
      name: d.spec.scriptName,
      deploymentId: d.spec.deploymentId,
      versions: d.spec.versions.map((v) => ({ versionId: v.versionId, percentage: v.percentage })),
    }));
}

/** The WorkerRelease of an account: named like the account, labelled so the account's selector matches it. */
export function desiredRelease(account: WorkerAccount, deployments: WorkerDeployment[], versions: ReadonlyMap<string, WorkerVersion>): WorkerRelease {
  const accountId = account.metadata.name;
  const scripts = desiredReleaseScripts(deployments, versions);
  return {
    apiVersion: API_VERSION,
    kind: "WorkerRelease",
    metadata: {
      name: accountId,
      labels: { ...account.spec.workerReleaseSelector?.matchLabels, ...managedLabels(accountId), [LABELS.account]: accountId },
      ownerReferences: [controllerRef(account)],
    },
    // No `scripts` at all when nothing is deployed: the apiserver stores an applied empty list as absent,
    // and the desired state must equal what is stored or the operator would re-apply it forever.
    spec: scripts.length ? { accountId, scripts } : { accountId },
  };
}
