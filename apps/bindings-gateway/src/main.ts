#!/usr/bin/env node
import { KubeConfig } from "@kubernetes/client-node";
import { createLogger } from "@fireworkers/observability";
import { createS3Client } from "@fireworkers/storage";
import { buildGateway } from "./app.ts";
import { loadConfig } from "./config.ts";
import { KubeNamespaceDirectory } from "./namespaces.ts";
import { startSweeper } from "./sweeper.ts";

const config = loadConfig();
const log = createLogger("bindings-gateway", { level: config.logLevel });
const kc = new KubeConfig();
kc.loadFromDefault();
const directory = new KubeNamespaceDirectory(kc, config.namespace, log);
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
