import { collectDefaultMetrics, Counter, Histogram, Registry } from "prom-client";

/** Prometheus metrics of one API instance (its own registry, so tests can run several in one process). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "fake_cf_api_" });
  return {
    registry,
    requests: new Counter({
      name: "fake_cf_api_http_requests_total",
      help: "HTTP requests by route template, method and status code.",
      labelNames: ["method", "route", "status"] as const,
      registers: [registry],
    }),
    requestSeconds: new Histogram({
      name: "fake_cf_api_http_request_duration_seconds",
      help: "HTTP request duration by route template and method.",
      labelNames: ["method", "route"] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    errors: new Counter({
      name: "fake_cf_api_errors_total",
      help: "Error answers by Cloudflare error code.",
      labelNames: ["code"] as const,
      registers: [registry],
    }),
    versions: new Counter({
      name: "fake_cf_api_versions_created_total",
      help: "WorkerVersions created, by what created them (script upload, version upload, secret change).",
      labelNames: ["mode"] as const,
      registers: [registry],
    }),
    deployments: new Counter({
      name: "fake_cf_api_deployments_created_total",
      help: "WorkerDeployments created, by workers/triggered_by.",
      labelNames: ["triggered_by"] as const,
      registers: [registry],
    }),
    uploadBytes: new Counter({ name: "fake_cf_api_upload_bytes_total", help: "Module bytes streamed to S3.", registers: [registry] }),
    uploadSeconds: new Histogram({
      name: "fake_cf_api_upload_duration_seconds",
      help: "Time from the start of an upload to its WorkerVersion.",
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
  };
}

export type ApiMetrics = ReturnType<typeof createMetrics>;
