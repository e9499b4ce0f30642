// Cloudflare's API v4 as Fastify plugins, one file per resource, mounted under /client/v4 by app.ts.
//
// Adding a resource (e.g. KV namespaces):
//   1. src/routes/<resource>.ts exports a FastifyPluginAsyncTypebox. Its paths are relative to the account
//      ("/storage/kv/namespaces/:namespaceId"); each route sets `config: { auth: "account" }` and TypeBox
//      schemas (shared params in http/schemas.ts): req.params/query/body are typed from them.
//   2. Handlers stay thin: they call an action (src/actions/<verb>.ts) with domain inputs and `req.ctx`, and
//      answer ok(...) from http/envelope.ts. Reads may call `app.stores` directly.
//   3. Actions throw domain errors (domain/errors.ts); http/errors.ts maps them to Cloudflare codes. A new
//      store goes in src/store/ and in `createStores` (context.ts).
//   4. Register the plugin in `accountScoped` below; the auth test checks every route is authenticated.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { accountRoutes } from "./account.ts";
import { deploymentRoutes } from "./deployments.ts";
import { kvRoutes } from "./kv.ts";
import { scriptRoutes } from "./scripts.ts";
import { secretRoutes } from "./secrets.ts";
import { settingsRoutes } from "./settings.ts";
import { triggerRoutes } from "./triggers.ts";
import { userRoutes } from "./user.ts";
import { versionRoutes } from "./versions.ts";
import { zoneRoutes } from "./zones.ts";

/** Routes under /accounts/:accountId: the token must be scoped to that account (auth "account"). */
const accountScoped = [scriptRoutes, versionRoutes, deploymentRoutes, secretRoutes, settingsRoutes, triggerRoutes, accountRoutes, kvRoutes];

export const cloudflareApi: FastifyPluginAsyncTypebox = async (app) => {
  await app.register(userRoutes);
  await app.register(zoneRoutes);
  await app.register(
    async (account) => {
      for (const routes of accountScoped) await account.register(routes);
    },
    { prefix: "/accounts/:accountId" },
  );
};
