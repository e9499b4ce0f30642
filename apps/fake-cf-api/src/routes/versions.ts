import type { FastifyInstance } from "fastify";
import { versionToWire } from "../domain/wire.ts";
import type { Deps } from "../deps.ts";
import { ok } from "../http/envelope.ts";
import { versionNotFound, workerNotFound } from "../http/errors.ts";
import { accountId, answers, scriptName, scriptParams, versionId, versionObject } from "../http/schemas.ts";

type ScriptParams = { accountId: string; scriptName: string };

export function registerVersionRoutes(app: FastifyInstance, deps: Deps): void {
  app.get<{ Params: ScriptParams }>(
    "/accounts/:accountId/workers/scripts/:scriptName/versions",
    {
      config: { auth: "account" },
      schema: {
        summary: "The Worker's versions, newest first",
        tags: ["versions"],
        params: scriptParams,
        querystring: { type: "object", properties: { deployable: { type: "boolean" }, page: { type: "integer" }, per_page: { type: "integer" } } },
        response: answers({ type: "object", properties: { items: { type: "array", items: versionObject } } }),
      },
    },
    async (req) => {
      const script = await deps.scripts.get(req.params.accountId, req.params.scriptName);
      if (!script) throw workerNotFound();
      const versions = await deps.scripts.versions(script);
      return ok({ items: versions.map(versionToWire) });
    },
  );

  app.get<{ Params: ScriptParams & { versionId: string } }>(
    "/accounts/:accountId/workers/scripts/:scriptName/versions/:versionId",
    {
      config: { auth: "account" },
      schema: {
        summary: "One version",
        tags: ["versions"],
        params: { type: "object", required: ["accountId", "scriptName", "versionId"], properties: { accountId, scriptName, versionId } },
        response: answers(versionObject),
      },
    },
    async (req) => {
      const script = await deps.scripts.get(req.params.accountId, req.params.scriptName);
      if (!script) throw workerNotFound();
      const version = await deps.scripts.version(script, req.params.versionId);
      if (!version) throw versionNotFound(req.params.versionId);
      return ok(versionToWire(version));
    },
  );
}
