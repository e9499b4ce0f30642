// Deployment rules (pure): which deployment is in force, what a new one may contain, how it is labelled,
// which records fall out of the bounded history, and which secrets changed since a version.
import { deploymentsNewestFirst, type VersionShare, type WorkerDeployment, type WorkerVersion } from "@fireworkers/crd-types";

export interface WireShare {
  version_id: string;
  percentage: number;
}

export const inForce = (deployments: WorkerDeployment[]) => deploymentsNewestFirst(deployments)[0];

/** The versions of a script, newest (highest number) first. */
export const versionsNewestFirst = (versions: WorkerVersion[]) => [...versions].sort((a, b) => b.spec.number - a.spec.number);

/** Checks a requested split the way the API (and the CRD's CEL rules) do; throws naming the field. */
export function validateSplit(shares: WireShare[]): VersionShare[] {
  if (shares.length < 1 || shares.length > 2) throw new Error("versions: a deployment has one or two versions");
  const sum = shares.reduce((s, v) => s + v.percentage, 0);
  if (Math.abs(sum - 100) > 1e-9) throw new Error(`versions: percentages must sum to 100, got ${sum}`);
  if (shares.length === 2 && shares[0]!.version_id === shares[1]!.version_id) throw new Error("versions: the two versions must differ");
  for (const [i, s] of shares.entries()) {
    if (s.percentage < 0 || s.percentage > 100) throw new Error(`versions[${i}].percentage must be between 0 and 100`);
  }
  return shares.map((s) => ({ versionId: s.version_id, percentage: s.percentage }));
}

/**
 * `workers/triggered_by` of a deployment made through POST .../deployments: "rollback" when it puts a single
 * version at 100% that is older than every version serving now, else "deployment" (what Cloudflare tags
 * `versions deploy` with).
 */
export function triggeredBy(split: VersionShare[], current: WorkerDeployment | undefined, numberOf: (versionId: string) => number): string {
  if (!current || split.length !== 1) return "deployment";
  const target = numberOf(split[0]!.versionId);
  const serving = current.spec.versions.map((v) => numberOf(v.versionId));
  return serving.every((n) => target < n) ? "rollback" : "deployment";
}

/** Names of deployment records beyond the newest `keep`; the one in force is never among them. */
export function prunable(deployments: WorkerDeployment[], keep: number): string[] {
  return deploymentsNewestFirst(deployments)
    .slice(Math.max(1, keep))
    .map((d) => d.metadata.name);
}

/**
 * Names of versions beyond the newest `keep` that no deployment references (the caller passes the deployments
 * it keeps: the one in force and the history rollbacks may return to).
 */
export function prunableVersions(versions: WorkerVersion[], deployments: WorkerDeployment[], keep: number): string[] {
  const referenced = new Set(deployments.flatMap((d) => d.spec.versions.map((v) => v.versionId)));
  return versionsNewestFirst(versions)
    .slice(Math.max(1, keep))
    .filter((v) => !referenced.has(v.spec.versionId))
    .map((v) => v.metadata.name);
}

/**
 * Secrets that changed since a version was made: added or removed since (by name), or updated after its
 * creation. Secrets are script-scoped here, so deploying an old version serves today's values: this is what
 * the 10220 confirmation is about.
 */
export function changedSecretsSince(versionSecretNames: string[], versionCreatedMs: number, current: Record<string, number>): string[] {
  const then = new Set(versionSecretNames);
  const changed = new Set<string>();
  for (const name of then) if (!Object.hasOwn(current, name)) changed.add(name);
  for (const [name, updatedMs] of Object.entries(current)) {
    if (!then.has(name) || updatedMs > versionCreatedMs) changed.add(name);
  }
  return [...changed].sort();
}
