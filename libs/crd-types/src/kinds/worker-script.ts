import { baseStatus, type CustomObject, type KindDefinition } from "../common.ts";
import { OpenObject, Type, type Static } from "../schema.ts";
import { AccountId, ScriptName } from "./shared-fields.ts";

/** The object name of a script's WorkerScript. Account ids and script names are DNS labels (no dots), so
 * the name is unambiguous and a valid DNS subdomain. */
export const workerScriptName = (accountId: string, scriptName: string) => `${accountId}.${scriptName}`;

/** Annotations on a WorkerScript holding the per-script counters, bumped with optimistic concurrency
 * (resourceVersion) so two API replicas never hand out the same number. */
export const SCRIPT_COUNTERS = {
  versions: "api.cf-worker/last-version-number",
  deployments: "api.cf-worker/last-deployment-number",
} as const;

export const Route = Type.Object({
  pattern: Type.String({ minLength: 1, maxLength: 1024 }),
  zoneId: Type.Optional(Type.String({ maxLength: 64 })),
  zoneName: Type.Optional(Type.String({ maxLength: 253 })),
});
export type Route = Static<typeof Route>;

const spec = Type.Object({
  accountId: AccountId,
  scriptName: ScriptName,
  workersDev: Type.Optional(
    Type.Object({
      enabled: Type.Boolean({ description: "Serve the script on <script>.<account subdomain>.<workers domain>." }),
      previewsEnabled: Type.Boolean({ description: "Serve per-version preview URLs." }),
    }),
  ),
  routes: Type.Optional(Type.Array(Route, { maxItems: 1000, description: "Route patterns as wrangler sent them (PUT .../routes)." })),
  schedules: Type.Optional(Type.Array(Type.Object({ cron: Type.String({ maxLength: 256 }) }), { maxItems: 100 })),
  tags: Type.Optional(Type.Array(Type.String({ maxLength: 256 }), { maxItems: 100 })),
  logpush: Type.Optional(Type.Boolean()),
  observability: Type.Optional(OpenObject<Record<string, unknown>>("Observability settings as wrangler sent them.")),
  tailConsumers: Type.Optional(Type.Array(OpenObject<Record<string, unknown>>("A tail consumer."), { maxItems: 100 })),
});

const status = Type.Object({ ...baseStatus });

export type WorkerScriptSpec = Static<typeof spec>;
export type WorkerScriptStatus = Static<typeof status>;
export type WorkerScript = CustomObject<"WorkerScript", WorkerScriptSpec, WorkerScriptStatus>;

export const workerScript: KindDefinition<typeof spec, typeof status> = {
  kind: "WorkerScript",
  plural: "workerscripts",
  singular: "workerscript",
  shortNames: ["ws"],
  description:
    "A script (Worker) of an account: its non-versioned settings (workers.dev, routes, schedules, tags). Owns the script's WorkerVersions, WorkerDeployments and secrets Secret. Name: <account>.<script>.",
  spec,
  status,
  columns: [
    { name: "Account", type: "string", jsonPath: ".spec.accountId" },
    { name: "Script", type: "string", jsonPath: ".spec.scriptName" },
    { name: "Workers-Dev", type: "boolean", jsonPath: ".spec.workersDev.enabled" },
  ],
};
