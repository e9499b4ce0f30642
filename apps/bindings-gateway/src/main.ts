#!/usr/bin/env node
import { KubeClient } from "@fireworkers/kube";
import { createLogger } from "@fireworkers/observability";
import { createS3Client } from "@fireworkers/storage";
import { buildGateway } from "./app.ts";
import { loadConfig } from "./config.ts";
import { KubeNamespaceDirectory } from "./namespaces.ts";
import { startSweeper } from "./sweeper.ts";

const config = loadConfig();
const log = createLogger("bindings-gateway", { level: config.logLevel });
// Read only: the gateway writes no Kubernetes object.
const kube = KubeClient.fromDefault({ namespace: config.namespace, fieldManager: "bindings-gateway" });
const directory = new KubeNamespaceDirectory(kube, log);
const s3 = createS3Client(config.s3);
const app = buildGateway({ config, s3, directory });
const stopSweeper = startSweeper(app.kvStore, directory, app.gatewayMetrics, log, config.sweepIntervalMs);
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, async () => {
    log.info({ signal }, "shutting down");
    stopSweeper();
    directory.stop();
    await app.close();
    process.exit(0);
  });
}
await directory.start();
await app.listen({ host: config.host, port: config.port });
