import Fastify, { type FastifyInstance } from "fastify";
import { randomUUID } from "node:crypto";
import { REDACTED_PATHS } from "@fireworkers/observability";

export interface AppOptions {
  logLevel?: string;
}

/** The API as a Fastify instance, not listening yet (tests use `inject`). */
export function buildApp(options: AppOptions = {}): FastifyInstance {
  const app = Fastify({
    logger: { level: options.logLevel ?? process.env.LOG_LEVEL ?? "info", base: { service: "fake-cf-api" }, redact: REDACTED_PATHS },
    genReqId: (req) => (req.headers["cf-ray"] as string | undefined) ?? randomUUID(),
    requestIdHeader: "x-request-id",
  });
  app.get("/healthz", async () => ({ status: "ok" }));
  app.get("/readyz", async () => ({ status: "ok" }));
  return app;
}
