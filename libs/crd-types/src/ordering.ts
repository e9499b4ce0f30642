// Which deployment record is in force: the API answers wrangler with it, the operator serves it.
import type { WorkerDeployment } from "./kinds/worker-deployment.ts";

/** Millisecond creation time stamped by the API (creationTimestamp has seconds only; wrangler sorts by created_on). */
export const CREATED_ON = "api.cf-worker/created-on";

export function createdMs(o: { metadata: { creationTimestamp?: string | Date; annotations?: Record<string, string> } }): number {
  const precise = o.metadata.annotations?.[CREATED_ON];
  return new Date(precise ?? o.metadata.creationTimestamp ?? 0).getTime();
}

/** Newest first: by the per-script sequence number, then creation time (a record without a number is older). */
export function deploymentsNewestFirst(deployments: WorkerDeployment[]): WorkerDeployment[] {
  return [...deployments].sort(
    (a, b) => (b.spec.number ?? 0) - (a.spec.number ?? 0) || createdMs(b) - createdMs(a) || b.metadata.name.localeCompare(a.metadata.name),
  );
}
