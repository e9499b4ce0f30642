// Bearer-token authentication and account scoping, before any validation or handler runs: a request
// without a known token gets 10000 (401); a token used on an account it is not scoped to gets 10000 (403)
// whatever the route, so nothing of another account is ever read or changed. A route says what it needs
// with `config.auth`.
import fp from "fastify-plugin";
import type { WorkerAccount } from "@fireworkers/crd-types";
import { NotFound } from "../domain/errors.ts";
import { bearer, type TokenRecord } from "../domain/tokens.ts";
import { forbidden, unauthenticated } from "../http/errors.ts";

/** "account": token + the :accountId of the path; "token": token only; "none": public. */
export type AuthMode = "none" | "token" | "account";

declare module "fastify" {
  interface FastifyContextConfig {
    auth?: AuthMode;
  }
  interface FastifyRequest {
    token: TokenRecord;
    account: WorkerAccount;
  }
}

export const auth = fp(
  async (app) => {
    app.addHook("onRequest", async (req) => {
      const mode = req.routeOptions.config?.auth ?? "none";
      if (mode === "none") return;
      const presented = bearer(req.headers.authorization);
      if (!presented) throw unauthenticated();
      const accountId = (req.params as { accountId?: string }).accountId ?? "";
      // Looked up alongside the token (one round trip for both), but only used once the token allows it.
      const lookup = mode === "account" && accountId ? app.stores.accounts.get(accountId) : undefined;
      lookup?.catch(() => undefined);
      const token = await app.stores.tokens.find(presented);
      if (!token) throw unauthenticated();
      req.token = token;
      if (mode !== "account") return;
      if (!token.accounts.includes(accountId)) throw forbidden();
      const account = await lookup;
      if (!account) throw new NotFound("account", accountId);
      req.account = account;
    });
  },
  { name: "auth", dependencies: ["services"] },
);
