// Account-level lookups wrangler makes around `delete`: references, tail consumers and Durable Object
// namespaces. None of these resources exist here yet, so each answers an honest empty list in the shape
// wrangler paginates on. (KV namespaces: routes/kv.ts.)
import type { FastifyInstance } from "fastify";
import type { Deps } from "../deps.ts";
import { ok } from "../http/envelope.ts";
import { accountParams, answers, scriptParams } from "../http/schemas.ts";

type ScriptParams = { accountId: string; scriptName: string };
const emptyList = answers({ type: "array", items: { type: "object", additionalProperties: true } });
const pageQuery = {
  type: "object",
  properties: { page: { type: "integer", minimum: 1 }, per_page: { type: "integer", minimum: 1, maximum: 1000 }, order: { type: "string" }, direction: { type: "string" } },
} as const;

export function registerAccountRoutes(app: FastifyInstance, _deps: Deps): void {
  app.get<{ Params: ScriptParams }>(
    "/accounts/:accountId/workers/scripts/:scriptName/references",
    {
      config: { auth: "account" },
      schema: { summary: "What refers to the Worker (asked before delete)", tags: ["scripts"], params: scriptParams, response: answers({ type: "object", additionalProperties: true }) },
    },
    // Nothing can refer to a Worker here yet (no service-binding graph, no Durable Objects). Answered for a
    // missing Worker too, so that `wrangler delete` reaches the delete call and its 10090.
    async () => ok({ services: { incoming: [], outgoing: [] }, durable_objects: [], dispatch_outbounds: [] }),
  );

  app.get<{ Params: ScriptParams }>(
    "/accounts/:accountId/workers/tails/by-consumer/:scriptName",
    { config: { auth: "account" }, schema: { summary: "Workers that use this Worker as a tail consumer", tags: ["scripts"], params: scriptParams, response: emptyList } },
    async () => ok([]),
  );

  app.get<{ Params: { accountId: string } }>(
    "/accounts/:accountId/workers/durable_objects/namespaces",
    { config: { auth: "account" }, schema: { summary: "Durable Object namespaces (none)", tags: ["account"], params: accountParams, querystring: pageQuery, response: emptyList } },
    async () => ok([], { page: 1, per_page: 1000, count: 0, total_count: 0, total_pages: 1 }),
  );
}
