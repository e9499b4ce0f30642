import { pino, type Logger, type LoggerOptions } from "pino";

export type { Logger };

/** Field paths whose values never reach a log line, whatever logs them. */
export const REDACTED_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  "headers.authorization",
  "*.secretAccessKey",
  "*.password",
  "*.token",
];

/** JSON logs on stdout, one line per event, with the service name on every line. */
export function createLogger(service: string, options: LoggerOptions = {}): Logger {
  return pino({
    level: process.env.LOG_LEVEL ?? "info",
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
    ...options,
  });
}
