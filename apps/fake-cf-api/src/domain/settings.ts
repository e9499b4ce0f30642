// Non-versioned script settings (pure): how a settings body and the workers.dev switch change a
// WorkerScript's spec.
import type { WorkerAccount, WorkerScriptSpec } from "@fireworkers/crd-types";

export interface ScriptSettings {
  logpush?: boolean;
  tags?: string[];
  observability?: Record<string, unknown>;
  tail_consumers?: Record<string, unknown>[];
}

/** Script-level settings present in a body, as WorkerScript spec fields. */
export function applySettings(spec: WorkerScriptSpec, body: ScriptSettings): WorkerScriptSpec {
  return {
    ...spec,
    ...(body.logpush !== undefined ? { logpush: body.logpush } : {}),
    ...(body.tags !== undefined ? { tags: body.tags } : {}),
    ...(body.observability !== undefined ? { observability: body.observability } : {}),
    ...(body.tail_consumers !== undefined ? { tailConsumers: body.tail_consumers } : {}),
  };
}

/** workers.dev on or off. Cloudflare's default: previews follow workers.dev the first time, then keep their state. */
export function withWorkersDev(spec: WorkerScriptSpec, enabled: boolean, previewsEnabled: boolean | undefined): WorkerScriptSpec {
  return { ...spec, workersDev: { enabled, previewsEnabled: previewsEnabled ?? spec.workersDev?.previewsEnabled ?? enabled } };
}

export const accountSubdomain = (account: WorkerAccount) => account.spec.subdomain ?? account.metadata.name;
