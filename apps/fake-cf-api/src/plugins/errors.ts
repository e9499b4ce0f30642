// The one error handler: every failure (domain errors from actions and stores, Fastify's validation and
// body-limit errors, dependency failures, auth refusals) is answered in Cloudflare's envelope with the code
// and status of http/errors.ts, logged once, and counted by code. Unknown routes answer 404 with code 7003;
// a known route with a method it does not declare answers 405 with code 7001 and an Allow header. That is
// decided in an onRequest hook, before Fastify looks at the body of the unknown method (a QUERY without a
// content type would otherwise be a 400).
import fp from "fastify-plugin";
import { failed } from "../http/envelope.ts";
import { methodNotAllowed, noRoute, toApiError, type MissingWorker } from "../http/errors.ts";
import { allowedMethods } from "../http/methods.ts";
import { brief } from "../log.ts";

declare module "fastify" {
  interface FastifyContextConfig {
    /** How this route answers a Worker that does not exist (default "script": 10007; "service": 10090). */
    missingWorker?: MissingWorker;
  }
}

export const errors = fp(
  async (app) => {
    let allowedOn: ((path: string) => string[] | undefined) | undefined;
    app.addHook("onRequest", async (req, reply) => {
      if (!req.is404) return;
      // Routes are all registered once the app is ready, before the first request.
      allowedOn ??= allowedMethods(app.apiRoutes);
      const allowed = allowedOn(req.url.split("?", 1)[0]!);
      if (!allowed) return;
      reply.header("allow", allowed.join(", "));
      app.metrics.errors.inc({ code: "7001" });
      return reply.code(405).send(failed(methodNotAllowed(req.method).errors));
    });

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
