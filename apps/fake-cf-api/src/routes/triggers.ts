// Triggers are recorded and returned; serving them is the operator's job. Routes, schedules, and the zone
// lookups wrangler makes before binding routes (zones are virtual: see domain/zones.ts).
import type { FastifyInstance } from "fastify";
import type { Route } from "@fireworkers/crd-types";
import { routesToWire } from "../domain/wire.ts";
import { routeZoneId, zoneId } from "../domain/zones.ts";
import type { Deps } from "../deps.ts";
import { ok } from "../http/envelope.ts";
import { forbidden, workerNotFound } from "../http/errors.ts";
import { accountId, answers, scriptName, scriptParams } from "../http/schemas.ts";

type ScriptParams = { accountId: string; scriptName: string };
interface WireRoute {
  pattern: string;
  zone_id?: string;
  zone_name?: string;
  script?: string;
}

const routeItem = {
  type: "object",
  required: ["pattern"],
  properties: { pattern: { type: "string", minLength: 1, maxLength: 1024 }, zone_id: { type: "string", maxLength: 64 }, zone_name: { type: "string", maxLength: 253 } },
  additionalProperties: true,
} as const;
const routeList = { type: "array", items: { type: "object", additionalProperties: true } } as const;
const zoneParams = { type: "object", required: ["zoneId"], properties: { zoneId: { type: "string", pattern: "^[0-9a-f]{32}$" } } } as const;

const toRoute = (r: WireRoute): Route => ({
  pattern: r.pattern,
  ...(r.zone_id ? { zoneId: r.zone_id } : {}),
  ...(r.zone_name ? { zoneName: r.zone_name } : {}),
});

export function registerTriggerRoutes(app: FastifyInstance, deps: Deps): void {
  const scriptOf = async (p: ScriptParams) => {
    const script = await deps.scripts.get(p.accountId, p.scriptName);
    if (!script) throw workerNotFound();
    return script;
  };

  app.get<{ Params: ScriptParams }>(
    "/accounts/:accountId/workers/scripts/:scriptName/routes",
    { config: { auth: "account" }, schema: { summary: "The Worker's routes", tags: ["triggers"], params: scriptParams, response: answers(routeList) } },
    async (req) => ok(routesToWire(await scriptOf(req.params))),
  );

  app.put<{ Params: ScriptParams; Body: WireRoute[] }>(
    "/accounts/:accountId/workers/scripts/:scriptName/routes",
    {
      config: { auth: "account" },
      schema: { summary: "Replace the Worker's routes", tags: ["triggers"], params: scriptParams, body: { type: "array", maxItems: 1000, items: routeItem }, response: answers(routeList) },
    },
    async (req) => {
      const script = await deps.scripts.update(await scriptOf(req.params), (spec) => ({ ...spec, routes: req.body.map(toRoute) }));
      return ok(routesToWire(script));
    },
  );

  const schedulesResult = { type: "object", properties: { schedules: { type: "array", items: { type: "object", properties: { cron: { type: "string" } } } } } } as const;
  app.get<{ Params: ScriptParams }>(
    "/accounts/:accountId/workers/scripts/:scriptName/schedules",
    { config: { auth: "account" }, schema: { summary: "The Worker's cron triggers", tags: ["triggers"], params: scriptParams, response: answers(schedulesResult) } },
    async (req) => ok({ schedules: (await scriptOf(req.params)).spec.schedules ?? [] }),
  );
  app.put<{ Params: ScriptParams; Body: { cron: string }[] }>(
    "/accounts/:accountId/workers/scripts/:scriptName/schedules",
    {
      config: { auth: "account" },
      schema: {
        summary: "Replace the Worker's cron triggers",
        tags: ["triggers"],
        params: scriptParams,
        body: { type: "array", maxItems: 100, items: { type: "object", required: ["cron"], properties: { cron: { type: "string", minLength: 1, maxLength: 256 } } } },
        response: answers(schedulesResult),
      },
    },
    async (req) => {
      const script = await deps.scripts.update(await scriptOf(req.params), (spec) => ({ ...spec, schedules: req.body.map((s) => ({ cron: s.cron })) }));
      return ok({ schedules: script.spec.schedules ?? [] });
    },
  );

  /** The accounts a zone request may see: the one asked for (if the token has it), else all of the token's. */
  const accountsFor = (tokenAccounts: string[], asked: string | undefined) => {
    if (asked === undefined) return tokenAccounts;
    if (!tokenAccounts.includes(asked)) throw forbidden();
    return [asked];
  };

  app.get<{ Querystring: { name?: string; "account.id"?: string } }>(
    "/zones",
    {
      config: { auth: "token" },
      schema: {
        summary: "Zone lookup by name: every name resolves to a zone of the account",
        tags: ["zones"],
        querystring: { type: "object", properties: { name: { type: "string", maxLength: 253 }, "account.id": accountId, cursor: { type: "string" } } },
        response: answers({ type: "array", items: { type: "object", additionalProperties: true } }),
      },
    },
    async (req) => {
      const accounts = accountsFor(req.token.accounts, req.query["account.id"]);
      const name = req.query.name?.toLowerCase();
      if (!name) return ok([]);
      return ok(accounts.map((acc) => ({ id: zoneId(acc, name), name, status: "active", account: { id: acc } })));
    },
  );

  /** Routes of the token's scripts that belong to the zone. */
  const zoneRoutes = async (tokenAccounts: string[], zone: string) => {
    const scripts = await deps.scripts.list(tokenAccounts);
    return scripts.flatMap((s) => routesToWire(s).filter((_, i) => routeZoneId(s.spec.accountId, s.spec.routes![i]!) === zone));
  };

  app.get<{ Params: { zoneId: string } }>(
    "/zones/:zoneId/workers/routes",
    { config: { auth: "token" }, schema: { summary: "Routes in a zone (of the token's accounts only)", tags: ["zones"], params: zoneParams, response: answers(routeList) } },
    async (req) => ok(await zoneRoutes(req.token.accounts, req.params.zoneId)),
  );

  app.post<{ Params: { zoneId: string }; Body: { pattern: string; script: string } }>(
    "/zones/:zoneId/workers/routes",
    {
      config: { auth: "token" },
      schema: {
        summary: "Add a route to a Worker of the token's accounts",
        tags: ["zones"],
        params: zoneParams,
        body: { type: "object", required: ["pattern", "script"], properties: { pattern: { type: "string", minLength: 1, maxLength: 1024 }, script: scriptName } },
        response: answers({ type: "object", additionalProperties: true }),
      },
    },
    async (req) => {
      // Zone ids cannot be mapped back to an account: the Worker of that name among the token's accounts.
      const [script] = (await deps.scripts.list(req.token.accounts)).filter((s) => s.spec.scriptName === req.body.script);
      if (!script) throw workerNotFound();
      const updated = await deps.scripts.update(script, (spec) => ({
        ...spec,
        routes: [...(spec.routes ?? []).filter((r) => r.pattern !== req.body.pattern), { pattern: req.body.pattern, zoneId: req.params.zoneId }],
      }));
      return ok(routesToWire(updated).find((r) => r.pattern === req.body.pattern));
    },
  );
}
