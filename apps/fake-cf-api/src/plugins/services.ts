// Decorates the app with what handlers and actions need: `app.config`, `app.stores` (Kubernetes and S3),
// `app.metrics`, and per request `req.ctx` (the same plus the request's logger), which is what actions take.
import type { S3Client } from "@aws-sdk/client-s3";
import fp from "fastify-plugin";
import type { ApiConfig } from "../config.ts";
import { createStores, type Context, type Stores } from "../context.ts";
import { createMetrics, type ApiMetrics } from "../http/metrics.ts";
import type { Kube } from "../store/kube.ts";

declare module "fastify" {
  interface FastifyInstance {
    config: ApiConfig;
    stores: Stores;
    metrics: ApiMetrics;
  }
  interface FastifyRequest {
    /** What actions take: config, stores, metrics, and this request's logger (its lines carry the request id). */
    readonly ctx: Context;
  }
}

export interface ServicesOptions {
  config: ApiConfig;
  kube: Kube;
  s3Client: S3Client;
}

export const services = fp<ServicesOptions>(
  async (app, { config, kube, s3Client }) => {
    app.decorate("config", config);
    app.decorate("stores", createStores(kube, s3Client, config.s3.bucket));
    app.decorate("metrics", createMetrics());
    app.decorateRequest("ctx", {
      getter() {
        return { config: this.server.config, stores: this.server.stores, metrics: this.server.metrics, log: this.log };
      },
    });
  },
  { name: "services" },
);
