// Request ids on every answer, Prometheus request metrics by route template, and the operational routes
// (/healthz, /readyz, /metrics): none of them is part of Cloudflare's API, so none is in /openapi.json.
import { HeadBucketCommand } from "@aws-sdk/client-s3";
import fp from "fastify-plugin";
import { KINDS } from "@fireworkers/kube";

export const observability = fp(
  async (app) => {
    app.addHook("onSend", async (req, reply) => {
      reply.header("x-request-id", req.id);
    });
    app.addHook("onResponse", async (req, reply) => {
      const route = req.routeOptions.url ?? "unmatched";
      app.metrics.requests.inc({ method: req.method, route, status: String(reply.statusCode) });
      app.metrics.requestSeconds.observe({ method: req.method, route }, reply.elapsedTime / 1000);
    });

    app.get("/healthz", { schema: { hide: true } }, async () => ({ status: "ok" }));
    app.get("/readyz", { schema: { hide: true } }, async (_req, reply) => {
      const { kube, s3 } = app.stores;
      const checks = await Promise.allSettled([
        kube.list(KINDS.WorkerAccount).then(() => "ok"),
        s3.client.send(new HeadBucketCommand({ Bucket: s3.bucket })).then(() => "ok"),
      ]);
      const [k, s] = checks.map((c) => (c.status === "fulfilled" ? "ok" : String((c.reason as Error)?.message ?? c.reason).slice(0, 200)));
      const ready = k === "ok" && s === "ok";
      return reply.code(ready ? 200 : 503).send({ status: ready ? "ok" : "unavailable", kubernetes: k, s3: s });
    });
    app.get("/metrics", { schema: { hide: true } }, async (_req, reply) => {
      reply.header("content-type", app.metrics.registry.contentType);
      return app.metrics.registry.metrics();
    });
  },
  { name: "observability", dependencies: ["services"] },
);
