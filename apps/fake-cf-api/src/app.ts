import { randomUUID } from "node:crypto";
import { HeadBucketCommand, type S3Client } from "@aws-sdk/client-s3";
import fastifySwagger from "@fastify/swagger";
import Fastify, { type FastifyError, type FastifyInstance } from "fastify";
import { API_VERSION } from "@fireworkers/crd-types";
import { isKvError, KvStore } from "@fireworkers/kv-store";
import { createS3Client } from "@fireworkers/storage";
import { REDACTED_PATHS } from "@fireworkers/observability";
import type { ApiConfig } from "./config.ts";
import type { Deps } from "./deps.ts";
import { authenticate } from "./http/auth.ts";
import { failed } from "./http/envelope.ts";
import { ApiError, brief, internal, invalid, noRoute, tooLarge, unavailable } from "./http/errors.ts";
import { createMetrics } from "./http/metrics.ts";
import { registerAccountRoutes } from "./routes/account.ts";
import { registerDeploymentRoutes } from "./routes/deployments.ts";
import { registerKvRoutes } from "./routes/kv.ts";
import { registerScriptRoutes } from "./routes/scripts.ts";
import { registerSecretRoutes } from "./routes/secrets.ts";
import { registerSettingsRoutes } from "./routes/settings.ts";
import { registerTriggerRoutes } from "./routes/triggers.ts";
import { registerUserRoutes } from "./routes/user.ts";
import { registerVersionRoutes } from "./routes/versions.ts";
import { Kube, KubeUnavailable } from "./store/kube.ts";
import { KvNamespaces } from "./store/kv-namespaces.ts";
import { S3Objects } from "./store/s3-objects.ts";
import { Scripts } from "./store/scripts.ts";
import { Secrets } from "./store/secrets.ts";
import { Tokens } from "./store/tokens.ts";
import { S3WriteError } from "./upload/stream-modules.ts";

export const API_PREFIX = "/client/v4";

export interface AppOptions {
  config: ApiConfig;
  /** Default: KUBECONFIG / in-cluster, in config.namespace. */
  kube?: Kube;
  /** Default: from config.s3. */
  s3Client?: S3Client;
  /** A pino destination stream (tests); default stdout. */
  logStream?: NodeJS.WritableStream;
}

export interface ApiRoute {
  method: string;
  url: string;
  auth: string;
}

/** The API as a Fastify instance, not listening yet. `app.apiRoutes` lists every Cloudflare route. */
export function buildApp(options: AppOptions): FastifyInstance & { apiRoutes: ApiRoute[]; deps: Deps } {
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
  });

  const kube = options.kube ?? Kube.fromDefault(config.namespace);
  const s3Client = options.s3Client ?? createS3Client(config.s3);
  const deps: Deps = {
    config,
    kube,
    s3Client,
    s3: new S3Objects(s3Client, config.s3.bucket),
    scripts: new Scripts(kube),
    secrets: new Secrets(kube),
    tokens: new Tokens(kube),
    kvNamespaces: new KvNamespaces(kube),
    kv: new KvStore(s3Client, config.s3.bucket),
    metrics: createMetrics(),
    log: app.log,
  };
  const apiRoutes: ApiRoute[] = [];

  // Uploads are read part by part by their handlers (busboy); everything else with a body is JSON.
  app.addContentTypeParser("multipart/form-data", (_req, _payload, done) => done(null));
  app.addContentTypeParser(["application/merge-patch+json"], { parseAs: "string" }, app.getDefaultJsonParser("error", "error"));

  void app.register(fastifySwagger, {
    openapi: {
      openapi: "3.0.3",
      info: {
        title: "fireworkers fake-cf-api",
        description: "The subset of Cloudflare's API v4 that wrangler uses, backed by Kubernetes and S3. Every answer is Cloudflare's envelope.",
        version: "1",
      },
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
      security: [{ bearer: [] }],
    },
    // Multipart routes read their body themselves; the schema of that body is documented here only.
    transform: ({ schema, url, route }) => {
      const multipart = route.config?.multipartBody;
      if (!multipart || !schema) return { schema, url };
      return { schema: { ...schema, consumes: ["multipart/form-data"], body: multipart }, url };
    },
  });

  app.addHook("onRoute", (route) => {
    if (route.url.startsWith(API_PREFIX)) {
      for (const method of [route.method].flat()) if (method !== "HEAD") apiRoutes.push({ method, url: route.url, auth: route.config?.auth ?? "none" });
    }
  });
  app.addHook("onRequest", authenticate(deps));
  app.addHook("onSend", async (req, reply) => {
    reply.header("x-request-id", req.id);
  });
  app.addHook("onResponse", async (req, reply) => {
    const route = req.routeOptions.url ?? "unmatched";
    deps.metrics.requests.inc({ method: req.method, route, status: String(reply.statusCode) });
    deps.metrics.requestSeconds.observe({ method: req.method, route }, reply.elapsedTime / 1000);
  });

  app.setNotFoundHandler(async (_req, reply) => {
    deps.metrics.errors.inc({ code: "7003" });
    return reply.code(404).send(failed(noRoute().errors));
  });

  app.setErrorHandler(async (err: FastifyError, req, reply) => {
    let apiError: ApiError;
    if (err instanceof ApiError) apiError = err;
    else if (isKvError(err)) apiError = new ApiError(err.status, [{ code: err.code, message: err.message }]);
    else if (err.validation) apiError = invalid(`${err.validationContext ?? "request"}${err.message.slice((err.validationContext ?? "").length)}`);
    else if (err.code === "FST_ERR_CTP_BODY_TOO_LARGE") apiError = tooLarge(app.initialConfig.bodyLimit ?? 0);
    else if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) apiError = new ApiError(err.statusCode, invalid(err.message).errors);
    else if (err instanceof KubeUnavailable) apiError = unavailable("Kubernetes");
    else if (err instanceof S3WriteError) apiError = unavailable("S3");
    else apiError = internal();
    if (apiError.status >= 500) req.log.error({ err: brief(err) }, "request failed");
    else req.log.info({ errors: apiError.errors }, "request refused");
    for (const e of apiError.errors) deps.metrics.errors.inc({ code: String(e.code) });
    return reply.code(apiError.status).send(failed(apiError.errors));
  });

  app.get("/healthz", { schema: { hide: true } }, async () => ({ status: "ok" }));
  app.get("/readyz", { schema: { hide: true } }, async (_req, reply) => {
    const checks = await Promise.allSettled([
      kube.list(API_VERSION, "WorkerAccount", {}).then(() => "ok"),
      s3Client.send(new HeadBucketCommand({ Bucket: config.s3.bucket })).then(() => "ok"),
    ]);
    const [k, s] = checks.map((c) => (c.status === "fulfilled" ? "ok" : String((c.reason as Error)?.message ?? c.reason).slice(0, 200)));
    const ready = k === "ok" && s === "ok";
    return reply.code(ready ? 200 : 503).send({ status: ready ? "ok" : "unavailable", kubernetes: k, s3: s });
  });
  app.get("/metrics", { schema: { hide: true } }, async (_req, reply) => {
    reply.header("content-type", deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());

  void app.register(
    async (api) => {
      registerUserRoutes(api, deps);
      registerScriptRoutes(api, deps);
      registerVersionRoutes(api, deps);
      registerDeploymentRoutes(api, deps);
      registerSecretRoutes(api, deps);
      registerSettingsRoutes(api, deps);
      registerTriggerRoutes(api, deps);
      registerAccountRoutes(api, deps);
      registerKvRoutes(api, deps);
    },
    { prefix: API_PREFIX },
  );

  return Object.assign(app, { apiRoutes, deps });
}
