// whoami: token verify, user, accounts, memberships (wrangler-api.md §2.1). Token-scoped; paths are
// relative to /client/v4.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { WorkerAccount } from "@fireworkers/crd-types";
import { ok, paginate } from "../http/envelope.ts";
import { answers, openList, pageQuery } from "../http/schemas.ts";

const accountName = (a: WorkerAccount) => a.metadata.annotations?.["api.cf-worker/display-name"] ?? a.metadata.name;

export const userRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/user/tokens/verify",
    {
      config: { auth: "token" },
      schema: { summary: "Verify the API token", tags: ["user"], response: answers({ type: "object", properties: { id: { type: "string" }, status: { type: "string" } } }) },
    },
    async (req) => ok({ id: req.token.id, status: "active" }),
  );

  app.get(
    "/user",
    {
      config: { auth: "token" },
      schema: {
        summary: "The token's user",
        tags: ["user"],
        response: answers({ type: "object", properties: { id: { type: "string" }, email: { type: "string" }, username: { type: "string" } } }),
      },
    },
    async (req) => ok({ id: req.token.id, email: req.token.email, username: req.token.name }),
  );

  /** The accounts the token is scoped to and that exist. */
  const accountsOf = async (accountIds: string[]) => {
    const found = await Promise.all(accountIds.map((id) => app.stores.accounts.get(id)));
    return found.filter((a): a is WorkerAccount => a !== undefined);
  };

  app.get(
    "/accounts",
    {
      config: { auth: "token" },
      schema: {
        summary: "Accounts of the token",
        tags: ["user"],
        querystring: pageQuery,
        response: answers({ type: "array", items: { type: "object", properties: { id: { type: "string" }, name: { type: "string" } }, additionalProperties: true } }),
      },
    },
    async (req) => {
      const accounts = (await accountsOf(req.token.accounts)).map((a) => ({ id: a.metadata.name, name: accountName(a), type: "standard", settings: {} }));
      const { items, info } = paginate(accounts, req.query.page, req.query.per_page);
      return ok(items, info);
    },
  );

  app.get(
    "/memberships",
    { config: { auth: "token" }, schema: { summary: "Memberships of the token (one per account)", tags: ["user"], querystring: pageQuery, response: answers(openList) } },
    async (req) => {
      const memberships = (await accountsOf(req.token.accounts)).map((a) => ({
        id: `${req.token.id}-${a.metadata.name}`.slice(0, 64),
        status: "accepted",
        roles: ["Administrator"],
        account: { id: a.metadata.name, name: accountName(a) },
      }));
      const { items, info } = paginate(memberships, req.query.page, req.query.per_page);
      return ok(items, info);
    },
  );
};
