// Scripts as wrangler sees them: the existence check (services), uploads (PUT script, POST versions), the
// script list, and delete. Paths are relative to /client/v4/accounts/:accountId.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type, type Static } from "typebox";
import { uploadVersion } from "../actions/upload-version.ts";
import { UploadMetadataSchema } from "../domain/metadata.ts";
import { serviceToWire, versionEtag, versionToWire } from "../domain/wire.ts";
import { ok } from "../http/envelope.ts";
import { accountParams, answers, anyResult, forceQuery, openList, openObject, scriptParams, StringEnum, versionObject } from "../http/schemas.ts";

const { $id: _id, ...metadataSchema } = UploadMetadataSchema;

/** How an upload body looks (documentation only: the handler streams it). */
const uploadBody = {
  type: "object",
  description:
    "multipart/form-data: a `metadata` field (JSON), then one part per module named by its path, with the module's content type " +
    "(application/javascript+module, application/wasm, text/plain, application/octet-stream, application/source-map).",
  required: ["metadata"],
  properties: { metadata: metadataSchema },
  additionalProperties: { type: "string", format: "binary" },
};

const uploadQuery = Type.Object({
  bindings_inherit: Type.Optional(StringEnum(["strict"], { description: "Refuse unresolvable `inherit` bindings (code 10057)." })),
  excludeScript: Type.Optional(Type.Boolean()),
});

export const scriptRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/workers/services/:scriptName",
    {
      config: { auth: "account", missingWorker: "service" },
      schema: { summary: "The Worker's service (existence check: 10090 when it does not exist)", tags: ["scripts"], params: scriptParams, response: answers(openObject) },
    },
    async (req) => {
      const { scripts, versions } = app.stores;
      const script = await scripts.require(req.params.accountId, req.params.scriptName);
      return ok(serviceToWire(script, await versions.latest(script)));
    },
  );

  const deleteSchema = { tags: ["scripts"], params: scriptParams, querystring: forceQuery, response: answers(anyResult) };
  const deleteScript = async (req: { params: Static<typeof scriptParams> }) => {
    await app.stores.scripts.delete(await app.stores.scripts.require(req.params.accountId, req.params.scriptName));
    return ok(null);
  };
  app.delete(
    "/workers/services/:scriptName",
    { config: { auth: "account", missingWorker: "service" }, schema: { summary: "Delete the Worker (wrangler delete)", ...deleteSchema } },
    deleteScript,
  );
  app.delete("/workers/scripts/:scriptName", { config: { auth: "account" }, schema: { summary: "Delete the Worker", ...deleteSchema } }, deleteScript);

  app.get(
    "/workers/scripts",
    { config: { auth: "account" }, schema: { summary: "The account's Workers", tags: ["scripts"], params: accountParams, response: answers(openList) } },
    async (req) => {
      const scripts = await app.stores.scripts.list([req.params.accountId]);
      return ok(scripts.map((s) => ({ id: s.spec.scriptName, tag: s.metadata.uid?.replaceAll("-", ""), created_on: s.metadata.creationTimestamp })));
    },
  );

  app.put(
    "/workers/scripts/:scriptName",
    {
      config: { auth: "account", multipartBody: uploadBody },
      schema: {
        summary: "Upload a Worker and deploy it at 100% (first deploy; draft Worker; wrangler 3)",
        tags: ["scripts"],
        params: scriptParams,
        querystring: uploadQuery,
        response: answers(openObject),
      },
    },
    async (req) => {
      const { script, version, deployment } = await uploadVersion(req.ctx, {
        account: req.account,
        scriptName: req.params.scriptName,
        mode: "script",
        strictInherit: req.query.bindings_inherit === "strict",
        token: req.token,
        body: req.raw,
      });
      const created = new Date(script.metadata.creationTimestamp ?? Date.now()).toISOString();
      return ok({
        id: script.spec.scriptName,
        tag: script.metadata.uid?.replaceAll("-", ""),
        etag: versionEtag(version),
        handlers: ["fetch"],
        created_on: created,
        modified_on: new Date().toISOString(),
        usage_model: "standard",
        compatibility_date: version.spec.compatibilityDate ?? "",
        compatibility_flags: version.spec.compatibilityFlags ?? [],
        last_deployed_from: "wrangler",
        has_modules: true,
        logpush: script.spec.logpush ?? false,
        deployment_id: version.spec.versionId,
        deployment: deployment?.spec.deploymentId,
        // Not measured here: the Worker does not run in the API. wrangler omits the line for 0.
        startup_time_ms: 0,
      });
    },
  );

  app.post(
    "/workers/scripts/:scriptName/versions",
    {
      config: { auth: "account", multipartBody: uploadBody },
      schema: { summary: "Upload a new version (not deployed)", tags: ["versions"], params: scriptParams, querystring: uploadQuery, response: answers(versionObject) },
    },
    async (req) => {
      const { version } = await uploadVersion(req.ctx, {
        account: req.account,
        scriptName: req.params.scriptName,
        mode: "version",
        strictInherit: req.query.bindings_inherit === "strict",
        token: req.token,
        body: req.raw,
      });
      return ok({ ...versionToWire(version), startup_time_ms: 0 });
    },
  );
};
