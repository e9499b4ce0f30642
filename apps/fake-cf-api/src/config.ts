import { s3ConfigFromEnv, type S3Config } from "@fireworkers/storage";

/** Configuration from the environment; every knob and its default is listed in the README (API section). */
export interface ApiConfig {
  host: string;
  port: number;
  logLevel: string;
  /** Namespace of WorkerAccounts, tokens and everything the API writes. */
  namespace: string;
  s3: S3Config;
  limits: UploadLimits;
  /** Deployment records kept per script (the one in force is never deleted). */
  deploymentHistory: number;
  /** Versions kept per script: the newest ones, plus every version a kept deployment references. */
  versionHistory: number;
  /** Host suffix of workers.dev-style URLs: https://<script>.<account subdomain>.<workersDomain>. */
  workersDomain: string;
  /** A request (an upload included) that takes longer is cut: a stalled client cannot hold an upload slot forever. */
  requestTimeoutMs: number;
}

export interface UploadLimits {
  /** Total bytes of all modules of one upload (Cloudflare's code 10027 beyond). */
  maxScriptBytes: number;
  maxModules: number;
  /** Bytes of the metadata part. */
  maxMetadataBytes: number;
  /** Modules streamed to S3 at the same time; bounds memory together with the S3 part size. */
  uploadConcurrency: number;
  /** S3 multipart part size for large modules (>= 5 MiB). */
  s3PartBytes: number;
  /** Parts of one module uploaded at once: with 2, the next part is read from the client while one is
   * being sent. Memory per upload <= uploadConcurrency x (s3QueueSize + 1) x s3PartBytes. */
  s3QueueSize: number;
}

const MiB = 1 << 20;

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer >= ${min}, got ${JSON.stringify(raw)}`);
  return value;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  return {
    host: env.HOST ?? "0.0.0.0",
    port: int(env, "PORT", 8787),
    logLevel: env.LOG_LEVEL ?? "info",
    namespace: env.NAMESPACE || "fireworkers",
    s3: s3ConfigFromEnv(env),
    limits: {
      maxScriptBytes: int(env, "MAX_SCRIPT_MIB", 64, 1) * MiB,
      maxModules: int(env, "MAX_MODULES", 1000, 1),
      maxMetadataBytes: int(env, "MAX_METADATA_KIB", 1024, 1) * 1024,
      uploadConcurrency: int(env, "UPLOAD_CONCURRENCY", 2, 1),
      s3PartBytes: int(env, "S3_PART_MIB", 8, 5) * MiB,
      s3QueueSize: int(env, "S3_QUEUE_SIZE", 2, 1),
    },
    deploymentHistory: int(env, "DEPLOYMENT_HISTORY", 10, 1),
    versionHistory: int(env, "VERSION_HISTORY", 100, 1),
    workersDomain: env.WORKERS_DOMAIN || "workers.dev",
    requestTimeoutMs: int(env, "REQUEST_TIMEOUT_SECONDS", 300, 1) * 1000,
  };
}
