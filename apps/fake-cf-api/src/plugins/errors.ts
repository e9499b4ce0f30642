// The one error handler: every failure (domain errors from actions and stores, Fastify's validation and
// body-limit errors, dependency failures, auth refusals) is answered in Cloudflare's envelope with the code
// and status of http/errors.ts, logged once, and counted by code. Unknown routes answer 7003.
import fp from "fastify-plugin";
import { failed } from "../http/envelope.ts";
import { noRoute, toApiError, type MissingWorker } from "../http/errors.ts";
import { brief } from "../log.ts";

declare module "fastify" {
  interface FastifyContextConfig {
    /** How this route answers a Worker that does not exist (default "script": 10007; "service": 10090). */
    missingWorker?: MissingWorker;
  }
}

export const errors = fp(
  async (app) => {
    app.setNotFoundHandler(async (_req, reply) => {
      app.metrics.errors.inc({ code: "7003" });
      return reply.code(404).send(failed(noRoute().errors));
    });

    app.setErrorHandler(async (err: Error, req, reply) => {
      const apiError = toApiError(err, { missingWorker: req.routeOptions.config?.missingWorker ?? "script", bodyLimit: app.initialConfig.bodyLimit ?? 0 });
      if (apiError.status >= 500) req.log.error({ err: brief(err) }, "request failed");
      else req.log.info({ errors: apiError.errors }, "request refused");
      for (const e of apiError.errors) app.metrics.errors.inc({ code: String(e.code) });
      return reply.code(apiError.status).send(failed(apiError.errors));
    });
  },
  { name: "errors", dependencies: ["services"] },
);
