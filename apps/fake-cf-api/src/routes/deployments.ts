// A Worker's deployments: list, and `versions deploy` / `rollback`. Paths are relative to
// /client/v4/accounts/:accountId.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { deployVersions } from "../actions/deploy.ts";
import { deploymentToWire } from "../domain/wire.ts";
import { ok } from "../http/envelope.ts";
import { answers, deploymentObject, forceQuery, scriptParams, StringEnum, StringMap, versionId } from "../http/schemas.ts";

const deploymentBody = Type.Object(
  {
    strategy: StringEnum(["percentage"]),
    versions: Type.Array(Type.Object({ version_id: versionId, percentage: Type.Number({ minimum: 0, maximum: 100 }) }), { minItems: 1, maxItems: 2 }),
    annotations: Type.Optional(StringMap({ "workers/message": Type.String({ maxLength: 1000 }) })),
    code_update_strategy: Type.Optional(Type.Unsafe<Record<string, unknown>>({ type: "object" })),
  },
  { additionalProperties: true },
);

export const deploymentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/workers/scripts/:scriptName/deployments",
    {
      config: { auth: "account" },
      schema: {
        summary: "The Worker's deployments, newest (in force) first",
        tags: ["deployments"],
        params: scriptParams,
        response: answers({ type: "object", properties: { deployments: { type: "array", items: deploymentObject } } }),
      },
    },
    async (req) => {
      const script = await app.stores.scripts.require(req.params.accountId, req.params.scriptName);
      return ok({ deployments: (await app.stores.deployments.list(script)).map(deploymentToWire) });
    },
  );

  app.post(
    "/workers/scripts/:scriptName/deployments",
    {
      config: { auth: "account" },
      schema: {
        summary: "Deploy one version at 100% or split traffic between two (versions deploy, rollback)",
        description: "Answers 10220 when secrets changed since a version being deployed was made, unless force=true.",
        tags: ["deployments"],
        params: scriptParams,
        querystring: forceQuery,
        body: deploymentBody,
        response: answers(deploymentObject),
      },
    },
    async (req) => {
      const deployment = await deployVersions(req.ctx, {
        accountId: req.params.accountId,
        scriptName: req.params.scriptName,
        shares: req.body.versions,
        force: req.query.force === true,
        message: req.body.annotations?.["workers/message"],
        token: req.token,
      });
      return ok(deploymentToWire(deployment));
    },
  );
};
