// A Worker's triggers: routes and cron schedules. They are recorded and returned; serving them is the
// operator's job. Paths are relative to /client/v4/accounts/:accountId.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { routeFromWire, routesToWire } from "../domain/wire.ts";
import { ok } from "../http/envelope.ts";
import { answers, openList, scriptParams } from "../http/schemas.ts";

const routeItem = Type.Object(
  { pattern: Type.String({ minLength: 1, maxLength: 1024 }), zone_id: Type.Optional(Type.String({ maxLength: 64 })), zone_name: Type.Optional(Type.String({ maxLength: 253 })) },
  { additionalProperties: true },
);
const schedulesBody = Type.Array(Type.Object({ cron: Type.String({ minLength: 1, maxLength: 256 }) }), { maxItems: 100 });
const schedulesResult = { type: "object", properties: { schedules: { type: "array", items: { type: "object", properties: { cron: { type: "string" } } } } } } as const;

export const triggerRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { scripts } = app.stores;

  app.get(
    "/workers/scripts/:scriptName/routes",
    { config: { auth: "account" }, schema: { summary: "The Worker's routes", tags: ["triggers"], params: scriptParams, response: answers(openList) } },
    async (req) => ok(routesToWire(await scripts.require(req.params.accountId, req.params.scriptName))),
  );

  app.put(
    "/workers/scripts/:scriptName/routes",
    {
      config: { auth: "account" },
      schema: { summary: "Replace the Worker's routes", tags: ["triggers"], params: scriptParams, body: Type.Array(routeItem, { maxItems: 1000 }), response: answers(openList) },
    },
    async (req) => {
      const script = await scripts.require(req.params.accountId, req.params.scriptName);
      return ok(routesToWire(await scripts.update(script, (spec) => ({ ...spec, routes: req.body.map(routeFromWire) }))));
    },
  );

  app.get(
    "/workers/scripts/:scriptName/schedules",
    { config: { auth: "account" }, schema: { summary: "The Worker's cron triggers", tags: ["triggers"], params: scriptParams, response: answers(schedulesResult) } },
    async (req) => ok({ schedules: (await scripts.require(req.params.accountId, req.params.scriptName)).spec.schedules ?? [] }),
  );

  app.put(
    "/workers/scripts/:scriptName/schedules",
    {
      config: { auth: "account" },
      schema: { summary: "Replace the Worker's cron triggers", tags: ["triggers"], params: scriptParams, body: schedulesBody, response: answers(schedulesResult) },
    },
    async (req) => {
      const script = await scripts.require(req.params.accountId, req.params.scriptName);
      const updated = await scripts.update(script, (spec) => ({ ...spec, schedules: req.body.map((s) => ({ cron: s.cron })) }));
      return ok({ schedules: updated.spec.schedules ?? [] });
    },
  );
};
