export { createLogger, REDACTED_PATHS, type Logger } from "./logger.ts";
export { startHealthServer, type HealthServerOptions } from "./health-server.ts";
