import { checkGatewayKey } from "@fireworkers/bindings-auth";
import { s3ConfigFromEnv, type S3Config } from "@fireworkers/storage";

export interface GatewayConfig {
  host: string;
  port: number;
  logLevel: string;
  namespace: string;
  s3: S3Config;
  /** HMAC key the per-account credentials derive from (libs/bindings-auth). */
  gatewayKey: Buffer;
  cacheMaxBytes: number;
  cacheMaxValueBytes: number;
  sweepIntervalMs: number;
  requestTimeoutMs: number;
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min}, not ${JSON.stringify(raw)}`);
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const key = env.BINDINGS_GATEWAY_KEY;
  if (!key) throw new Error("BINDINGS_GATEWAY_KEY is required (the Secret fireworkers-bindings-gateway-key)");
  return {
    host: env.HOST || "0.0.0.0",
    port: int(env, "PORT", 8788, 0),
    logLevel: env.LOG_LEVEL || "info",
    namespace: env.NAMESPACE || "fireworkers",
    s3: s3ConfigFromEnv(env),
    gatewayKey: checkGatewayKey(key),
    cacheMaxBytes: int(env, "KV_CACHE_MAX_MIB", 64, 0) * 1024 * 1024,
    cacheMaxValueBytes: int(env, "KV_CACHE_MAX_VALUE_KIB", 1024, 0) * 1024,
    sweepIntervalMs: int(env, "KV_SWEEP_INTERVAL_SECONDS", 600, 0) * 1000,
    requestTimeoutMs: int(env, "REQUEST_TIMEOUT_SECONDS", 120, 1) * 1000,
  };
}
