import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** The operator's Prometheus metrics, on one registry (served at /metrics). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    reconciles: new Counter({ name: "fireworkers_reconcile_total", help: "Reconciles by kind and result (success, error, timeout, terminal).", labelNames: ["kind", "result"], registers: [registry] }),
    reconcileDuration: new Histogram({
      name: "fireworkers_reconcile_duration_seconds",
      help: "Reconcile duration by kind.",
      labelNames: ["kind"],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers: [registry],
    }),
    queueWait: new Histogram({
      name: "fireworkers_workqueue_wait_seconds",
      help: "How long a key waited in a controller's queue before a worker took it.",
      labelNames: ["kind"],
      buckets: [0.001, 0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10],
      registers: [registry],
    }),
    queueDepth: new Gauge({ name: "fireworkers_workqueue_depth", help: "Keys waiting per controller.", labelNames: ["kind"], registers: [registry] }),
    apiserverErrors: new Counter({
      name: "fireworkers_apiserver_errors_total",
      help: "Failed reconciles by the apiserver error that failed them (NotFound, Conflict, Forbidden, Invalid, Unavailable). Forbidden needs a person: the operator's RBAC.",
      labelNames: ["kind", "reason"],
      registers: [registry],
    }),
    inFlight: new Gauge({ name: "fireworkers_workqueue_in_flight", help: "Keys being reconciled per controller.", labelNames: ["kind"], registers: [registry] }),
    terminalErrors: new Counter({
      name: "fireworkers_reconcile_terminal_errors_total",
      help: "Reconciles that failed for good (not retried until the object changes), by kind and reason.",
      labelNames: ["kind", "reason"],
      registers: [registry],
    }),
    writes: new Counter({ name: "fireworkers_apiserver_writes_total", help: "Write requests sent to the apiserver, by verb and kind.", labelNames: ["verb", "kind"], registers: [registry] }),
    buildDuration: new Histogram({
      name: "fireworkers_build_duration_seconds",
      help: "From a JobBuilder's creation to its Job's completion.",
      labelNames: ["result"],
      buckets: [1, 2, 5, 10, 20, 30, 60, 120, 300],
      registers: [registry],
    }),
    deployToReady: new Histogram({
      name: "fireworkers_deploy_to_ready_seconds",
      help: "From a WorkerVersion's creation to a bundle rollout serving it being complete.",
      buckets: [1, 2, 3, 5, 8, 13, 21, 34, 60, 120],
      registers: [registry],
    }),
    leader: new Gauge({ name: "fireworkers_leader", help: "1 while this replica holds the leader lease.", registers: [registry] }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
