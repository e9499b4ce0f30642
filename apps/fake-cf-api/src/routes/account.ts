// Account-level lookups wrangler makes around `delete`: references, tail consumers and Durable Object
// namespaces. None of these resources exist here yet, so each answers an honest empty list in the shape
// wrangler paginates on (KV namespaces: routes/kv.ts). Paths are relative to
// /client/v4/accounts/:accountId.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { ok } from "../http/envelope.ts";
import { accountParams, answers, openList, openObject, page, scriptParams } from "../http/schemas.ts";

const emptyList = answers(openList);
const listQuery = Type.Object({
  page: Type.Optional(page),
  per_page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  order: Type.Optional(Type.String()),
  direction: Type.Optional(Type.String()),
});

export const accountRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/workers/scripts/:scriptName/references",
    { config: { auth: "account" }, schema: { summary: "What refers to the Worker (asked before delete)", tags: ["scripts"], params: scriptParams, response: answers(openObject) } },
    // Nothing can refer to a Worker here yet (no service-binding graph, no Durable Objects). Answered for a
    // missing Worker too, so that `wrangler delete` reaches the delete call and its 10090.
    async () => ok({ services: { incoming: [], outgoing: [] }, durable_objects: [], dispatch_outbounds: [] }),
  );

  app.get(
    "/workers/tails/by-consumer/:scriptName",
    { config: { auth: "account" }, schema: { summary: "Workers that use this Worker as a tail consumer", tags: ["scripts"], params: scriptParams, response: emptyList } },
    async () => ok([]),
  );

  app.get(
    "/workers/durable_objects/namespaces",
    { config: { auth: "account" }, schema: { summary: "Durable Object namespaces (none)", tags: ["account"], params: accountParams, querystring: listQuery, response: emptyList } },
    async () => ok([], { page: 1, per_page: 1000, count: 0, total_count: 0, total_pages: 1 }),
  );
};
