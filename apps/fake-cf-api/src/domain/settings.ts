// Non-versioned script settings (pure): how a settings body and the workers.dev switch change a
// WorkerScript's spec.
import { Type, type Static } from "typebox";
import type { WorkerAccount, WorkerScriptSpec } from "@fireworkers/crd-types";

const anyObject = Type.Unsafe<Record<string, unknown>>({ type: "object", additionalProperties: true });

/** The settings body (PATCH .../script-settings, and the `settings` part of PATCH .../settings). */
export const ScriptSettingsSchema = Type.Object(
  {
    logpush: Type.Optional(Type.Boolean()),
    tags: Type.Optional(Type.Array(Type.String({ maxLength: 256 }), { maxItems: 100 })),
    observability: Type.Optional(anyObject),
    tail_consumers: Type.Optional(Type.Array(anyObject, { maxItems: 100 })),
  },
  { additionalProperties: true },
);
export type ScriptSettings = Static<typeof ScriptSettingsSchema>;

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
