#!/usr/bin/env node
import { KINDS } from "@fireworkers/crd-types";
import { createLogger, startHealthServer } from "@fireworkers/observability";

const log = createLogger("operator");
const health = await startHealthServer({
  host: process.env.HEALTH_HOST ?? "0.0.0.0",
  port: Number(process.env.HEALTH_PORT ?? 8081),
  ready: () => true,
});
log.info({ port: health.port, kinds: KINDS.map((k) => k.kind) }, "operator started");
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, async () => {
    log.info({ signal }, "shutting down");
    await health.close();
    process.exit(0);
  });
}
