// The bindings gateway: stateless, horizontally scalable; answers workerd's native binding protocols
// for the bundle pods, one Fastify plugin per binding kind under its own prefix (/kv/<namespace id>/...
// now; /r2/<bucket>/... next). State is in S3 (values) and Kubernetes (which account owns what).
import { randomUUID } from "node:crypto";
import { HeadBucketCommand, type S3Client } from "@aws-sdk/client-s3";
import Fastify, { LogController, type FastifyError, type FastifyInstance } from "fastify";
import { isKvError, KvStore } from "@fireworkers/kv-store";
import { REDACTED_PATHS } from "@fireworkers/observability";
import type { GatewayConfig } from "./config.ts";
import { ValueCache } from "./kv/cache.ts";
import { kvRoutes } from "./kv/routes.ts";
import { createMetrics, type GatewayMetrics } from "./metrics.ts";
import type { NamespaceDirectory } from "./namespaces.ts";

export interface GatewayOptions {
  config: GatewayConfig;
  s3: S3Client;
  directory: NamespaceDirectory;
  /** A pino destination stream (tests); default stdout. */
  logStream?: NodeJS.WritableStream;
  now?: () => number;
}

// The gateway's decorators, declared the way Fastify types them (as the API's plugins/services.ts does).
declare module "fastify" {
  interface FastifyInstance {
    gatewayMetrics: GatewayMetrics;
    kvStore: KvStore;
    kvCache: ValueCache;
  }
}

export type Gateway = FastifyInstance;

/** HTTP status text must be a header-safe line: the Worker sees it in the thrown error. */
const statusText = (message: string) => message.replace(/[^\x20-\x7e]/g, "?").slice(0, 300);

export function buildGateway(options: GatewayOptions): Gateway {
  const { config, s3, directory } = options;
  const app = Fastify({
    logger: {
      level: config.logLevel,
      base: { service: "bindings-gateway" },
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      ...(options.logStream ? { stream: options.logStream } : {}),
    },
    // Every binding call is a request: logging each one at info would be most of the work. Refusals,
    // errors and slow S3 calls are logged; the rest is in /metrics.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: (req) => {
      const given = req.headers["x-request-id"];
      return typeof given === "string" && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
    },
    requestTimeout: config.requestTimeoutMs,
    // A KV key is up to 512 bytes, percent-encoded up to three times that.
    routerOptions: { maxParamLength: 2048 },
    keepAliveTimeout: 65_000,
  });
  const metrics = createMetrics();
  const store = new KvStore(s3, config.s3.bucket, { now: options.now });
  const cache = new ValueCache(config.cacheMaxBytes, config.cacheMaxValueBytes, options.now);
  app.decorate("gatewayMetrics", metrics);
  app.decorate("kvStore", store);
  app.decorate("kvCache", cache);

  app.addHook("onResponse", async (request, reply) => {
    const op = request.routeOptions.config.op;
    if (!op) return;
    metrics.operations.inc({ kind: "kv", op, status: String(reply.statusCode) });
    metrics.seconds.observe({ kind: "kv", op }, reply.elapsedTime / 1000);
  });

  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (isKvError(err)) {
      reply.raw.statusMessage = statusText(err.message);
      return reply.code(err.status).header("content-type", "text/plain").send(`${err.message} [code: ${err.code}]`);
    }
    if (err.statusCode && err.statusCode < 500) {
      reply.raw.statusMessage = statusText(err.message);
      return reply.code(err.statusCode).header("content-type", "text/plain").send(err.message);
    }
    request.log.error({ err }, "binding request failed");
    reply.raw.statusMessage = "Service Unavailable: storage failed";
    return reply.code(503).header("content-type", "text/plain").send("storage failed");
  });

  app.get("/healthz", async () => ({ ok: true }));
  app.get("/readyz", async (_request, reply) => {
    if (!directory.synced()) return reply.code(503).send({ ok: false, reason: "namespace directory not synced" });
    try {
      await s3.send(new HeadBucketCommand({ Bucket: config.s3.bucket }));
    } catch (err) {
      return reply.code(503).send({ ok: false, reason: `bucket: ${(err as Error).name}` });
    }
    return { ok: true };
  });
  app.get("/metrics", async (_request, reply) => reply.header("content-type", metrics.registry.contentType).send(await metrics.registry.metrics()));

  void app.register(kvRoutes, { prefix: "/kv/:namespaceId", store, cache, directory, metrics, gatewayKey: config.gatewayKey });
  return app;
}
