// Scripts as wrangler sees them: the existence check (services), uploads (PUT script, POST versions), the
// script list, and delete.
import type { FastifyInstance } from "fastify";
import { UploadMetadataSchema } from "../domain/metadata.ts";
import { serviceToWire, versionEtag, versionToWire } from "../domain/wire.ts";
import { uploadVersion } from "../actions/upload-version.ts";
import type { Deps } from "../deps.ts";
import { ok } from "../http/envelope.ts";
import { serviceNotFound, workerNotFound } from "../http/errors.ts";
import { accountParams, answers, anyResult, scriptParams, versionObject } from "../http/schemas.ts";

type ScriptParams = { accountId: string; scriptName: string };
type UploadQuery = { bindings_inherit?: string; excludeScript?: boolean };

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

const uploadQuery = {
  type: "object",
  properties: {
    bindings_inherit: { type: "string", enum: ["strict"], description: "Refuse unresolvable `inherit` bindings (code 10057)." },
    excludeScript: { type: "boolean" },
  },
} as const;

export function registerScriptRoutes(app: FastifyInstance, deps: Deps): void {
  app.get<{ Params: ScriptParams }>(
    "/accounts/:accountId/workers/services/:scriptName",
    {
      config: { auth: "account" },
      schema: {
        summary: "The Worker's service (existence check: 10090 when it does not exist)",
        tags: ["scripts"],
        params: scriptParams,
        response: answers({ type: "object", additionalProperties: true }),
      },
    },
    async (req) => {
      const script = await deps.scripts.get(req.params.accountId, req.params.scriptName);
      if (!script) throw serviceNotFound();
      const [latest] = await deps.scripts.versions(script);
      return ok(serviceToWire(script, latest));
    },
  );

  const deleteScript = (notFound: () => Error) => async (req: { params: ScriptParams }) => {
    const script = await deps.scripts.get(req.params.accountId, req.params.scriptName);
    if (!script) throw notFound();
    await deps.scripts.delete(script);
    return ok(null);
  };
  const deleteSchema = {
    tags: ["scripts"],
    params: scriptParams,
    querystring: { type: "object", properties: { force: { type: "boolean" } } },
    response: answers(anyResult),
  };
  app.delete<{ Params: ScriptParams }>(
    "/accounts/:accountId/workers/services/:scriptName",
    { config: { auth: "account" }, schema: { summary: "Delete the Worker (wrangler delete)", ...deleteSchema } },
    deleteScript(serviceNotFound),
  );
  app.delete<{ Params: ScriptParams }>(
    "/accounts/:accountId/workers/scripts/:scriptName",
    { config: { auth: "account" }, schema: { summary: "Delete the Worker", ...deleteSchema } },
    deleteScript(workerNotFound),
  );

  app.get<{ Params: { accountId: string } }>(
    "/accounts/:accountId/workers/scripts",
    {
      config: { auth: "account" },
      schema: { summary: "The account's Workers", tags: ["scripts"], params: accountParams, response: answers({ type: "array", items: { type: "object", additionalProperties: true } }) },
    },
    async (req) => {
      const scripts = await deps.scripts.list([req.params.accountId]);
      return ok(scripts.map((s) => ({ id: s.spec.scriptName, tag: s.metadata.uid?.replaceAll("-", ""), created_on: s.metadata.creationTimestamp })));
    },
  );

  app.put<{ Params: ScriptParams; Querystring: UploadQuery }>(
    "/accounts/:accountId/workers/scripts/:scriptName",
    {
      config: { auth: "account", multipartBody: uploadBody },
      schema: {
        summary: "Upload a Worker and deploy it at 100% (first deploy; draft Worker; wrangler 3)",
        tags: ["scripts"],
        params: scriptParams,
        querystring: uploadQuery,
        response: answers({ type: "object", additionalProperties: true }),
      },
    },
    async (req) => {
      const { script, version, deployment } = await uploadVersion(deps, req, {
        account: req.account,
        scriptName: req.params.scriptName,
        mode: "script",
        strictInherit: req.query.bindings_inherit === "strict",
        token: req.token,
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

  app.post<{ Params: ScriptParams; Querystring: UploadQuery }>(
    "/accounts/:accountId/workers/scripts/:scriptName/versions",
    {
      config: { auth: "account", multipartBody: uploadBody },
      schema: {
        summary: "Upload a new version (not deployed)",
        tags: ["versions"],
        params: scriptParams,
        querystring: uploadQuery,
        response: answers(versionObject),
      },
    },
    async (req) => {
      const { version } = await uploadVersion(deps, req, {
        account: req.account,
        scriptName: req.params.scriptName,
        mode: "version",
        strictInherit: req.query.bindings_inherit === "strict",
        token: req.token,
      });
      return ok({ ...versionToWire(version), startup_time_ms: 0 });
    },
  );
}
