import { API_VERSION } from "@fireworkers/crd-types";
import { kind, kindOf, type CallOptions, type Kind, type KubeObject } from "@fireworkers/kube";
import { canonicalJson, sha256 } from "../desired/common.ts";
import type { Metrics } from "./metrics.ts";

/** The writes this module sends: a KubeClient (the operator's Kube) is one. */
export interface KubeWrites {
  apply(kind: Kind, object: KubeObject, options?: CallOptions): Promise<KubeObject>;
  applyStatus(kind: Kind, name: string, status: Record<string, unknown>, options?: CallOptions): Promise<KubeObject>;
  delete(kind: Kind, name: string, options?: CallOptions): Promise<boolean>;
}

/**
 * Who writes: the client, its metrics and the reconcile's signal (a ReconcileContext is one). Every write
 * carries the signal, so a reconcile past its deadline or a leader that lost the Lease stops writing at once.
 */
export interface Writer {
  kube: KubeWrites;
  metrics: Metrics;
  signal?: AbortSignal;
}

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
export async function applyIfChanged<T extends KubeObject>({ kube, metrics, signal }: Writer, desired: T, observed: KubeObject | undefined): Promise<boolean> {
  const hash = sha256(canonicalJson(desired)).slice(0, 32);
  const withHash = { ...desired, metadata: { ...desired.metadata, annotations: { ...desired.metadata?.annotations, [APPLIED_HASH_ANNOTATION]: hash } } };
  if (observed && observed.metadata?.annotations?.[APPLIED_HASH_ANNOTATION] === hash && isSubset(withHash, observed)) return false;
  const key = `${desired.kind}/${desired.metadata?.name}`;
  if (cacheBehindOwnWrite(kube, key, observed)) return false;
  metrics.writes.inc({ verb: "apply", kind: desired.kind ?? "" });
  const written = await kube.apply(kindOf(desired), withHash, { signal });
  recordOwnWrite(kube, key, observed, written?.metadata?.resourceVersion);
  return true;
}

/**
 * Our own updates not yet seen by the informer cache, per Kube client: object key -> the
 * resourceVersion each write was computed from. While the cache still holds exactly that version, it
 * has not caught up with the write: comparing the desired state with it would only send the same write
 * again (the write's own watch event brings the object back to its reconcile). Only updates are
 * tracked: a resourceVersion never comes back once superseded, so a cache that moved on (to our write,
 * a later one, or a deletion) clears the entry. A create has no such version and is never held back.
 */
const ownWrites = new WeakMap<KubeWrites, Map<string, string>>();

function cacheBehindOwnWrite(kube: KubeWrites, key: string, observed: KubeObject | undefined): boolean {
  const writes = ownWrites.get(kube);
  const basis = writes?.get(key);
  if (basis === undefined) return false;
  if (observed?.metadata?.resourceVersion === basis) return true;
  writes!.delete(key);
  return false;
}

function recordOwnWrite(kube: KubeWrites, key: string, observed: KubeObject | undefined, produced: string | undefined) {
  const basis = observed?.metadata?.resourceVersion;
  // A write the server found to change nothing keeps the version: then the cache is not behind.
  if (!basis || !produced || basis === produced) return;
  const writes = ownWrites.get(kube) ?? new Map<string, string>();
  ownWrites.set(kube, writes);
  writes.set(key, basis);
}

/**
 * Applies the operator's part of a custom object's status unless it is already exactly that. `owned`
 * lists the status fields the operator manages (others, e.g. the job-builder's, are left alone).
 */
export async function applyStatusIfChanged(
  { kube, metrics, signal }: Writer,
  target: { kind: string; plural: string; name: string },
  status: Record<string, unknown>,
  observed: { metadata?: { resourceVersion?: string }; status?: object },
  owned: string[] = Object.keys(status),
): Promise<boolean> {
  const mine = (s: Record<string, unknown>) => withoutUndefined(Object.fromEntries(owned.map((k) => [k, s[k]])));
  if (canonicalJson(mine(status)) === canonicalJson(mine((observed.status ?? {}) as Record<string, unknown>))) return false;
  const key = `${target.kind}/${target.name}/status`;
  if (cacheBehindOwnWrite(kube, key, observed)) return false;
  metrics.writes.inc({ verb: "apply-status", kind: target.kind });
  const written = await kube.applyStatus(kind(API_VERSION, target.kind, target.plural), target.name, status, { signal });
  const produced = written.metadata?.resourceVersion;
  recordOwnWrite(kube, key, observed, produced);
  return true;
}

export async function deleteObject({ kube, metrics, signal }: Writer, object: KubeObject): Promise<void> {
  metrics.writes.inc({ verb: "delete", kind: object.kind ?? "" });
  await kube.delete(kindOf(object), object.metadata?.name ?? "", { signal });
}

/** Waits for every write (none is left running), then fails with the first error, if any. */
export async function settleAll(writes: (Promise<unknown> | undefined)[]): Promise<void> {
  const results = await Promise.allSettled(writes);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
}

const withoutUndefined = (value: object) => JSON.parse(JSON.stringify(value));
