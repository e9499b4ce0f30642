// Non-versioned script settings: settings / script-settings, workers.dev subdomain state, and the
// "Workers" resource wrangler 4 reads after a deploy.
import type { FastifyInstance } from "fastify";
import type { WorkerAccount, WorkerScriptSpec } from "@fireworkers/crd-types";
import { changeSecrets } from "../actions/change-secrets.ts";
import { assertRenderable } from "../actions/renderable.ts";
import { settingsBindings } from "../domain/bindings.ts";
import type { RawBinding } from "../domain/metadata.ts";
import { RawBindingSchema } from "../domain/metadata.ts";
import { scriptSettingsToWire, settingsToWire, subdomainOf, workerToWire } from "../domain/wire.ts";
import type { Deps } from "../deps.ts";
import { ok } from "../http/envelope.ts";
import { inheritInvalid, invalid, workerNotFound } from "../http/errors.ts";
import { accountParams, answers, scriptParams, subdomainObject } from "../http/schemas.ts";
import { readFields } from "../upload/read-fields.ts";

type ScriptParams = { accountId: string; scriptName: string };

interface ScriptSettingsBody {
  logpush?: boolean;
  tags?: string[];
  observability?: Record<string, unknown>;
  tail_consumers?: Record<string, unknown>[];
}

const scriptSettingsBody = {
  type: "object",
  properties: {
    logpush: { type: "boolean" },
    tags: { type: "array", maxItems: 100, items: { type: "string", maxLength: 256 } },
    observability: { type: "object", additionalProperties: true },
    tail_consumers: { type: "array", maxItems: 100, items: { type: "object", additionalProperties: true } },
  },
  additionalProperties: true,
} as const;

const settingsResult = { type: "object", additionalProperties: true } as const;

export const accountSubdomain = (account: WorkerAccount) => account.spec.subdomain ?? account.metadata.name;

/** Script-level settings present in a body, as WorkerScript spec fields. */
function applySettings(spec: WorkerScriptSpec, body: ScriptSettingsBody): WorkerScriptSpec {
  return {
    ...spec,
    ...(body.logpush !== undefined ? { logpush: body.logpush } : {}),
    ...(body.tags !== undefined ? { tags: body.tags } : {}),
    ...(body.observability !== undefined ? { observability: body.observability } : {}),
    ...(body.tail_consumers !== undefined ? { tailConsumers: body.tail_consumers } : {}),
  };
}

export function registerSettingsRoutes(app: FastifyInstance, deps: Deps): void {
  const scriptOf = async (p: ScriptParams) => {
    const script = await deps.scripts.get(p.accountId, p.scriptName);
    if (!script) throw workerNotFound();
    return script;
  };

  app.get<{ Params: ScriptParams }>(
    "/accounts/:accountId/workers/scripts/:scriptName/settings",
    { config: { auth: "account" }, schema: { summary: "Settings and bindings of the latest version", tags: ["settings"], params: scriptParams, response: answers(settingsResult) } },
    async (req) => {
      const script = await scriptOf(req.params);
      const [latest] = await deps.scripts.versions(script);
      return ok(settingsToWire(script, latest));
    },
  );

  app.patch<{ Params: ScriptParams }>(
    "/accounts/:accountId/workers/scripts/:scriptName/settings",
    {
      config: {
        auth: "account",
        multipartBody: {
          type: "object",
          required: ["settings"],
          properties: { settings: { ...scriptSettingsBody, properties: { ...scriptSettingsBody.properties, bindings: { type: "array", items: RawBindingSchema } } } },
        },
      },
      schema: {
        summary: "Change settings; with `bindings` a new version is deployed (wrangler 3 `secret bulk`)",
        tags: ["settings"],
        params: scriptParams,
        response: answers(settingsResult),
      },
    },
    async (req) => {
      const fields = await readFields(req.raw, deps.config.limits.maxMetadataBytes);
      let settings: ScriptSettingsBody & { bindings?: RawBinding[] };
      try {
        settings = JSON.parse(fields.settings ?? "");
      } catch {
        throw invalid("settings: the 'settings' part must be JSON");
      }
      if (typeof settings !== "object" || settings === null) throw invalid("settings: must be an object");
      if (settings.bindings !== undefined && !Array.isArray(settings.bindings)) throw invalid("settings.bindings: must be an array");
      let script = await scriptOf(req.params);
      if (settings.bindings) {
        const [latest] = await deps.scripts.versions(script);
        const secrets = await deps.secrets.read(script);
        let plan;
        try {
          plan = settingsBindings(settings.bindings, latest?.spec.bindings ?? [], Object.keys(secrets.updated));
        } catch (err) {
          throw invalid((err as Error).message);
        }
        if (plan.unknown.length) throw inheritInvalid(plan.unknown);
        // Before any secret is written: the new version must be buildable.
        if (latest) assertRenderable(script.spec.scriptName, { ...latest.spec, bindings: plan.bindings });
        await changeSecrets(deps, req.params.accountId, req.params.scriptName, { upserts: plan.upserts, deletes: plan.deletes, bindings: () => plan.bindings }, req.token);
      }
      script = await deps.scripts.update(script, (spec) => applySettings(spec, settings));
      const [latest] = await deps.scripts.versions(script);
      return ok(settingsToWire(script, latest));
    },
  );

  app.get<{ Params: ScriptParams }>(
    "/accounts/:accountId/workers/scripts/:scriptName/script-settings",
    { config: { auth: "account" }, schema: { summary: "Non-versioned settings", tags: ["settings"], params: scriptParams, response: answers(settingsResult) } },
    async (req) => ok(scriptSettingsToWire(await scriptOf(req.params))),
  );

  app.patch<{ Params: ScriptParams; Body: ScriptSettingsBody }>(
    "/accounts/:accountId/workers/scripts/:scriptName/script-settings",
    {
      config: { auth: "account" },
      schema: { summary: "Change non-versioned settings (tags, logpush, observability, tail consumers)", tags: ["settings"], params: scriptParams, body: scriptSettingsBody, response: answers(settingsResult) },
    },
    async (req) => {
      const script = await deps.scripts.update(await scriptOf(req.params), (spec) => applySettings(spec, req.body));
      return ok(scriptSettingsToWire(script));
    },
  );

  app.get<{ Params: { accountId: string } }>(
    "/accounts/:accountId/workers/subdomain",
    {
      config: { auth: "account" },
      schema: { summary: "The account's workers.dev-style subdomain", tags: ["subdomain"], params: accountParams, response: answers({ type: "object", properties: { subdomain: { type: "string" } } }) },
    },
    async (req) => ok({ subdomain: accountSubdomain(req.account) }),
  );

  app.get<{ Params: ScriptParams }>(
    "/accounts/:accountId/workers/scripts/:scriptName/subdomain",
    { config: { auth: "account" }, schema: { summary: "The Worker's workers.dev state", tags: ["subdomain"], params: scriptParams, response: answers(subdomainObject) } },
    async (req) => ok(subdomainOf(await scriptOf(req.params))),
  );

  app.post<{ Params: ScriptParams; Body: { enabled: boolean; previews_enabled?: boolean } }>(
    "/accounts/:accountId/workers/scripts/:scriptName/subdomain",
    {
      config: { auth: "account" },
      schema: {
        summary: "Enable or disable the Worker on workers.dev (previews follow `enabled` unless given)",
        tags: ["subdomain"],
        params: scriptParams,
        body: { type: "object", required: ["enabled"], properties: { enabled: { type: "boolean" }, previews_enabled: { type: "boolean" } } },
        response: answers(subdomainObject),
      },
    },
    async (req) => {
      const { enabled, previews_enabled } = req.body;
      const script = await deps.scripts.update(await scriptOf(req.params), (spec) => ({
        ...spec,
        // Cloudflare's default: previews follow workers.dev the first time, then keep their state.
        workersDev: { enabled, previewsEnabled: previews_enabled ?? spec.workersDev?.previewsEnabled ?? enabled },
      }));
      return ok(subdomainOf(script));
    },
  );

  app.get<{ Params: ScriptParams }>(
    "/accounts/:accountId/workers/workers/:scriptName",
    {
      config: { auth: "account" },
      schema: { summary: "The Worker resource (workers.dev URL and preview suffix)", tags: ["subdomain"], params: scriptParams, response: answers(settingsResult) },
    },
    async (req) => {
      const script = await scriptOf(req.params);
      const [latest] = await deps.scripts.versions(script);
      return ok(workerToWire(script, latest, accountSubdomain(req.account), deps.config.workersDomain));
    },
  );
}
