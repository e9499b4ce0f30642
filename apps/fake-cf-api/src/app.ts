// The API as a Fastify app: core options, then plugins in order (services: config/stores/metrics
// decorators; errors: the one error handler; auth; observability; openapi), then Cloudflare's routes under
// /client/v4 (routes/index.ts says how to add a resource). Request types come from the TypeBox schemas
// (TypeBox type provider); validation stays with Fastify's Ajv, whose messages the API answers with.
import { randomUUID } from "node:crypto";
import type { S3Client } from "@aws-sdk/client-s3";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify from "fastify";
import { createS3Client } from "@fireworkers/storage";
import { REDACTED_PATHS } from "@fireworkers/observability";
import type { ApiConfig } from "./config.ts";
import { auth } from "./plugins/auth.ts";
import { errors } from "./plugins/errors.ts";
import { observability } from "./plugins/observability.ts";
import { API_PREFIX, openapi } from "./plugins/openapi.ts";
import { services } from "./plugins/services.ts";
import { cloudflareApi } from "./routes/index.ts";
import { createKube, type Kube } from "./store/kube.ts";

export { API_PREFIX } from "./plugins/openapi.ts";
export type { ApiRoute } from "./plugins/openapi.ts";

export interface AppOptions {
  config: ApiConfig;
  /** Default: KUBECONFIG / in-cluster, in config.namespace. */
  kube?: Kube;
  /** Default: from config.s3. */
  s3Client?: S3Client;
  /** A pino destination stream (tests); default stdout. */
  logStream?: NodeJS.WritableStream;
}

/** The API as a Fastify instance, not listening yet. Once ready, `app.apiRoutes` lists every Cloudflare route. */
export function buildApp(options: AppOptions) {
  const { config } = options;
  const app = Fastify({
    logger: {
      level: config.logLevel,
      base: { service: "fake-cf-api" },
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      ...(options.logStream ? { stream: options.logStream } : {}),
    },
    genReqId: (req) => {
      const given = req.headers["x-request-id"];
      return typeof given === "string" && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
    },
    // Bodies of JSON routes are small; uploads are streamed by their handlers and never reach this limit.
    bodyLimit: 1 << 20,
    requestTimeout: config.requestTimeoutMs,
    // A KV key (path parameter) is up to 512 bytes, percent-encoded up to three times that.
    routerOptions: { maxParamLength: 2048 },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: "array", allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // Uploads are read part by part by their handlers (busboy); everything else with a body is JSON.
  app.addContentTypeParser("multipart/form-data", (_req, _payload, done) => done(null));
  app.addContentTypeParser(["application/merge-patch+json"], { parseAs: "string" }, app.getDefaultJsonParser("error", "error"));

  void app.register(services, {
    config,
    kube: options.kube ?? createKube(config.namespace),
    s3Client: options.s3Client ?? createS3Client(config.s3),
  });
  void app.register(errors);
  void app.register(openapi);
  void app.register(auth);
  void app.register(observability);
  void app.register(cloudflareApi, { prefix: API_PREFIX });
  return app;
}
