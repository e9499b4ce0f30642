// A Worker's versions. Paths are relative to /client/v4/accounts/:accountId.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { NotFound } from "../domain/errors.ts";
import { versionToWire } from "../domain/wire.ts";
import { ok } from "../http/envelope.ts";
import { answers, scriptParams, versionObject, versionParams } from "../http/schemas.ts";

const versionsQuery = Type.Object({ deployable: Type.Optional(Type.Boolean()), page: Type.Optional(Type.Integer()), per_page: Type.Optional(Type.Integer()) });

export const versionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { scripts, versions } = app.stores;

  app.get(
    "/workers/scripts/:scriptName/versions",
    {
      config: { auth: "account" },
      schema: {
        summary: "The Worker's versions, newest first",
        tags: ["versions"],
        params: scriptParams,
        querystring: versionsQuery,
        response: answers({ type: "object", properties: { items: { type: "array", items: versionObject } } }),
      },
    },
    async (req) => {
      const script = await scripts.require(req.params.accountId, req.params.scriptName);
      return ok({ items: (await versions.list(script)).map(versionToWire) });
    },
  );

  app.get(
    "/workers/scripts/:scriptName/versions/:versionId",
    { config: { auth: "account" }, schema: { summary: "One version", tags: ["versions"], params: versionParams, response: answers(versionObject) } },
    async (req) => {
      const script = await scripts.require(req.params.accountId, req.params.scriptName);
      const version = await versions.get(script, req.params.versionId);
      if (!version) throw new NotFound("version", req.params.versionId);
      return ok(versionToWire(version));
    },
  );
};
