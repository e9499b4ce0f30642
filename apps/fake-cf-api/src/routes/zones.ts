// Zones, token-scoped (not under an account): the zone lookups wrangler makes before binding routes, and
// zone routes. Zones are virtual here (see domain/zones.ts). Paths are relative to /client/v4.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { NotFound } from "../domain/errors.ts";
import { routesToWire } from "../domain/wire.ts";
import { routeZoneId, zoneId } from "../domain/zones.ts";
import { ok } from "../http/envelope.ts";
import { forbidden } from "../http/errors.ts";
import { accountId, answers, openList, openObject, scriptName, zoneParams } from "../http/schemas.ts";

const zonesQuery = Type.Object({
  name: Type.Optional(Type.String({ maxLength: 253 })),
  "account.id": Type.Optional(accountId),
  cursor: Type.Optional(Type.String()),
});
const zoneRouteBody = Type.Object({ pattern: Type.String({ minLength: 1, maxLength: 1024 }), script: scriptName });

/** The accounts a zone request may see: the one asked for (if the token has it), else all of the token's. */
function accountsFor(tokenAccounts: string[], asked: string | undefined): string[] {
  if (asked === undefined) return tokenAccounts;
  if (!tokenAccounts.includes(asked)) throw forbidden();
  return [asked];
}

export const zoneRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { scripts } = app.stores;

  app.get(
    "/zones",
    {
      config: { auth: "token" },
      schema: { summary: "Zone lookup by name: every name resolves to a zone of the account", tags: ["zones"], querystring: zonesQuery, response: answers(openList) },
    },
    async (req) => {
      const accounts = accountsFor(req.token.accounts, req.query["account.id"]);
      const name = req.query.name?.toLowerCase();
      if (!name) return ok([]);
      return ok(accounts.map((acc) => ({ id: zoneId(acc, name), name, status: "active", account: { id: acc } })));
    },
  );

  /** Routes of the token's scripts that belong to the zone. */
  const zoneRoutesOf = async (tokenAccounts: string[], zone: string) => {
    const all = await scripts.list(tokenAccounts);
    return all.flatMap((s) => routesToWire(s).filter((_, i) => routeZoneId(s.spec.accountId, s.spec.routes![i]!) === zone));
  };

  app.get(
    "/zones/:zoneId/workers/routes",
    { config: { auth: "token" }, schema: { summary: "Routes in a zone (of the token's accounts only)", tags: ["zones"], params: zoneParams, response: answers(openList) } },
    async (req) => ok(await zoneRoutesOf(req.token.accounts, req.params.zoneId)),
  );

  app.post(
    "/zones/:zoneId/workers/routes",
    {
      config: { auth: "token" },
      schema: { summary: "Add a route to a Worker of the token's accounts", tags: ["zones"], params: zoneParams, body: zoneRouteBody, response: answers(openObject) },
    },
    async (req) => {
      // Zone ids cannot be mapped back to an account: the Worker of that name among the token's accounts.
      const [script] = (await scripts.list(req.token.accounts)).filter((s) => s.spec.scriptName === req.body.script);
      if (!script) throw new NotFound("worker", req.body.script);
      const updated = await scripts.update(script, (spec) => ({
        ...spec,
        routes: [...(spec.routes ?? []).filter((r) => r.pattern !== req.body.pattern), { pattern: req.body.pattern, zoneId: req.params.zoneId }],
      }));
      return ok(routesToWire(updated).find((r) => r.pattern === req.body.pattern));
    },
  );
};
