// Non-versioned script settings: settings / script-settings, the workers.dev subdomain state, and the
// "Workers" resource wrangler 4 reads after a deploy. Paths are relative to /client/v4/accounts/:accountId.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type, type Static } from "typebox";
import { changeSettings } from "../actions/change-settings.ts";
import { RawBindingSchema } from "../domain/metadata.ts";
import { accountSubdomain, applySettings, ScriptSettingsSchema, withWorkersDev } from "../domain/settings.ts";
import { scriptSettingsToWire, settingsToWire, subdomainOf, workerToWire } from "../domain/wire.ts";
import { ok } from "../http/envelope.ts";
import { accountParams, answers, openObject, scriptParams, subdomainObject } from "../http/schemas.ts";
import { readFields } from "../upload/read-fields.ts";

const scriptSettingsBody = ScriptSettingsSchema;
/** The multipart body of PATCH .../settings (documentation only: the handler reads it). */
const settingsBody = {
  type: "object",
  required: ["settings"],
  properties: { settings: { ...scriptSettingsBody, properties: { ...scriptSettingsBody.properties, bindings: { type: "array", items: RawBindingSchema } } } },
};
const subdomainBody = Type.Object({ enabled: Type.Boolean(), previews_enabled: Type.Optional(Type.Boolean()) });

export const settingsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { scripts, versions } = app.stores;
  const scriptOf = (p: Static<typeof scriptParams>) => scripts.require(p.accountId, p.scriptName);

  app.get(
    "/workers/scripts/:scriptName/settings",
    { config: { auth: "account" }, schema: { summary: "Settings and bindings of the latest version", tags: ["settings"], params: scriptParams, response: answers(openObject) } },
    async (req) => {
      const script = await scriptOf(req.params);
      return ok(settingsToWire(script, await versions.latest(script)));
    },
  );

  app.patch(
    "/workers/scripts/:scriptName/settings",
    {
      config: { auth: "account", multipartBody: settingsBody },
      schema: { summary: "Change settings; with `bindings` a new version is deployed (wrangler 3 `secret bulk`)", tags: ["settings"], params: scriptParams, response: answers(openObject) },
    },
    async (req) => {
      const fields = await readFields(req.raw, app.config.limits.maxMetadataBytes);
      const { accountId, scriptName } = req.params;
      const script = await changeSettings(req.ctx, { accountId, scriptName, settingsJson: fields.settings, token: req.token });
      return ok(settingsToWire(script, await versions.latest(script)));
    },
  );

  app.get(
    "/workers/scripts/:scriptName/script-settings",
    { config: { auth: "account" }, schema: { summary: "Non-versioned settings", tags: ["settings"], params: scriptParams, response: answers(openObject) } },
    async (req) => ok(scriptSettingsToWire(await scriptOf(req.params))),
  );

  app.patch(
    "/workers/scripts/:scriptName/script-settings",
    {
      config: { auth: "account" },
      schema: {
        summary: "Change non-versioned settings (tags, logpush, observability, tail consumers)",
        tags: ["settings"],
        params: scriptParams,
        body: scriptSettingsBody,
        response: answers(openObject),
      },
    },
    async (req) => ok(scriptSettingsToWire(await scripts.update(await scriptOf(req.params), (spec) => applySettings(spec, req.body)))),
  );

  app.get(
    "/workers/subdomain",
    {
      config: { auth: "account" },
      schema: { summary: "The account's workers.dev-style subdomain", tags: ["subdomain"], params: accountParams, response: answers({ type: "object", properties: { subdomain: { type: "string" } } }) },
    },
    async (req) => ok({ subdomain: accountSubdomain(req.account) }),
  );

  app.get(
    "/workers/scripts/:scriptName/subdomain",
    { config: { auth: "account" }, schema: { summary: "The Worker's workers.dev state", tags: ["subdomain"], params: scriptParams, response: answers(subdomainObject) } },
    async (req) => ok(subdomainOf(await scriptOf(req.params))),
  );

  app.post(
    "/workers/scripts/:scriptName/subdomain",
    {
      config: { auth: "account" },
      schema: {
        summary: "Enable or disable the Worker on workers.dev (previews follow `enabled` unless given)",
        tags: ["subdomain"],
        params: scriptParams,
        body: subdomainBody,
        response: answers(subdomainObject),
      },
    },
    async (req) => {
      const script = await scripts.update(await scriptOf(req.params), (spec) => withWorkersDev(spec, req.body.enabled, req.body.previews_enabled));
      return ok(subdomainOf(script));
    },
  );

  app.get(
    "/workers/workers/:scriptName",
    {
      config: { auth: "account" },
      schema: { summary: "The Worker resource (workers.dev URL and preview suffix)", tags: ["subdomain"], params: scriptParams, response: answers(openObject) },
    },
    async (req) => {
      const script = await scriptOf(req.params);
      return ok(workerToWire(script, await versions.latest(script), accountSubdomain(req.account), app.config.workersDomain));
    },
  );
};
