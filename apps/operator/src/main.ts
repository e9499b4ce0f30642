#!/usr/bin/env node
import { createLogger, startHealthServer } from "@fireworkers/observability";
import { loadConfig } from "./config.ts";
import { createOperator } from "./operator.ts";
import { createKube } from "./runtime/kube.ts";
import { kubeLeaseLock, startLeaderElection } from "./runtime/leader-election.ts";
import { createMetrics } from "./runtime/metrics.ts";

const log = createLogger("operator");
const config = loadConfig();
// One keep-alive connection for every request and watch (@fireworkers/kube).
const kube = createKube(config.namespace);
const metrics = createMetrics();
const operator = createOperator(config, kube, metrics, log);

let synced = false;
const health = await startHealthServer({
  ...config.health,
  ready: () => synced,
  routes: { "/metrics": async () => ({ contentType: metrics.registry.contentType, body: await metrics.registry.metrics() }) },
});
log.info({ namespace: config.namespace, health: health.port, identity: config.leaderElection.identity }, "operator starting");

// The moment leadership is lost the replica stops counting as leader; the shutdown below then aborts
// the reconciles in flight (their signals fire) before the process exits.
const election = config.leaderElection.enabled
  ? startLeaderElection(kubeLeaseLock(kube, config.leaderElection.leaseName), { ...config.leaderElection, onStoppedLeading: () => metrics.leader.set(0) }, log)
  : undefined;
let stopping = false;
const shutdown = async (reason: string, code: number) => {
  if (stopping) return;
  stopping = true;
  log.info({ reason }, "shutting down");
  await operator.stop();
  await election?.release();
  metrics.leader.set(0);
  await health.close();
  process.exit(code);
};
process.once("SIGTERM", () => void shutdown("SIGTERM", 0));
process.once("SIGINT", () => void shutdown("SIGINT", 0));
// A replica that lost the lease exits: its restart rejoins as a candidate with clean caches.
void election?.lost.then(() => shutdown("lost leadership", 1));

await operator.sync();
synced = true;
log.info("caches synced");
await election?.acquired;
if (!stopping) {
  metrics.leader.set(1);
  await operator.startControllers();
  log.info("reconciling");
}
