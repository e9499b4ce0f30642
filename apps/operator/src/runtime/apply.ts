import type { KubernetesObject } from "@kubernetes/client-node";
import { canonicalJson, sha256 } from "../desired/common.ts";
import type { Kube } from "./kube.ts";
import type { Metrics } from "./metrics.ts";

/** Hash of what the operator last applied; a changed desired state changes it (removals included). */
export const APPLIED_HASH_ANNOTATION = "api.cf-worker/applied-hash";

/** True when every field of `want` has the same value in `have` (the apiserver adds defaults, never removes). */
export function isSubset(want: unknown, have: unknown): boolean {
  if (Array.isArray(want)) return Array.isArray(have) && want.length === have.length && want.every((w, i) => isSubset(w, have[i]));
  if (want && typeof want === "object") {
    if (!have || typeof have !== "object") return false;
    return Object.entries(want).every(([k, v]) => v === undefined || isSubset(v, (have as Record<string, unknown>)[k]));
  }
  return want === have;
}

/**
 * Server-side applies `desired` unless the live object already matches it: same applied hash and every
 * desired field in place. A converged operator therefore sends no write at all.
 */
export async function applyIfChanged<T extends KubernetesObject>(kube: Kube, metrics: Metrics, desired: T, observed: KubernetesObject | undefined): Promise<boolean> {
  const hash = sha256(canonicalJson(desired)).slice(0, 32);
  const withHash = { ...desired, metadata: { ...desired.metadata, annotations: { ...desired.metadata?.annotations, [APPLIED_HASH_ANNOTATION]: hash } } };
  if (observed && observed.metadata?.annotations?.[APPLIED_HASH_ANNOTATION] === hash && isSubset(withHash, observed)) return false;
  metrics.writes.inc({ verb: "apply", kind: desired.kind ?? "" });
  await kube.apply(withHash);
  return true;
}

/**
 * Applies the operator's part of a custom object's status unless it is already exactly that. `owned`
 * lists the status fields the operator manages (others, e.g. the job-builder's, are left alone).
 */
export async function applyStatusIfChanged(
  kube: Kube,
  metrics: Metrics,
  target: { kind: string; plural: string; name: string },
  status: Record<string, unknown>,
  observed: Record<string, unknown> | undefined,
  owned: string[] = Object.keys(status),
): Promise<boolean> {
  const mine = (s: Record<string, unknown>) => withoutUndefined(Object.fromEntries(owned.map((k) => [k, s[k]])));
  if (canonicalJson(mine(status)) === canonicalJson(mine(observed ?? {}))) return false;
  metrics.writes.inc({ verb: "apply-status", kind: target.kind });
  await kube.applyStatus(target.plural, target.name, target.kind, status);
  return true;
}

export async function deleteObject(kube: Kube, metrics: Metrics, object: KubernetesObject): Promise<void> {
  metrics.writes.inc({ verb: "delete", kind: object.kind ?? "" });
  await kube.delete(object);
}

const withoutUndefined = (value: object) => JSON.parse(JSON.stringify(value));
