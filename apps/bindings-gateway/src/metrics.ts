import { collectDefaultMetrics, Counter, Histogram, Registry } from "prom-client";

/** Prometheus metrics of one gateway instance (its own registry, so tests can run several in a process). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "bindings_gateway_" });
  return {
    registry,
    operations: new Counter({
      name: "bindings_gateway_operations_total",
      help: "Binding operations by binding kind, operation and HTTP status.",
      labelNames: ["kind", "op", "status"] as const,
      registers: [registry],
    }),
    seconds: new Histogram({
      name: "bindings_gateway_operation_duration_seconds",
      help: "Binding operation duration by kind and operation.",
      labelNames: ["kind", "op"] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
      registers: [registry],
    }),
    cache: new Counter({
      name: "bindings_gateway_kv_cache_total",
      help: "KV reads answered from the gateway's cache (hit) or from S3 (miss).",
      labelNames: ["result"] as const,
      registers: [registry],
    }),
    refused: new Counter({
      name: "bindings_gateway_refused_total",
      help: "Requests refused before any read or write: bad credential, or a namespace the account does not own.",
      labelNames: ["reason"] as const,
      registers: [registry],
    }),
    swept: new Counter({ name: "bindings_gateway_kv_swept_total", help: "Expired KV keys deleted by the sweep.", registers: [registry] }),
  };
}

export type GatewayMetrics = ReturnType<typeof createMetrics>;
