import { S3Client } from "@aws-sdk/client-s3";

/** Where the platform keeps uploaded modules: any S3 (MinIO, AWS, Scaleway, versitygw, ...). */
export interface S3Config {
  endpoint?: string;
  region: string;
  bucket: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  forcePathStyle: boolean;
  /** Most time the TCP/TLS connection may take (default 5 s). */
  connectTimeoutMs?: number;
  /** Most time one request and its response may take before it fails (default 120 s; the SDK's retries come on top). */
  requestTimeoutMs?: number;
}

export const S3_CONNECT_TIMEOUT_MS = 5_000;
export const S3_REQUEST_TIMEOUT_MS = 120_000;

/**
 * Reads the S3 settings every app shares:
 *   S3_ENDPOINT (unset = AWS), S3_REGION (us-east-1), S3_BUCKET (required),
 *   S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY (unset = the SDK's default chain), S3_FORCE_PATH_STYLE (true),
 *   S3_CONNECT_TIMEOUT_MS (5000), S3_REQUEST_TIMEOUT_MS (120000).
 */
export function s3ConfigFromEnv(env: NodeJS.ProcessEnv = process.env): S3Config {
  const bucket = env.S3_BUCKET;
  if (!bucket) throw new Error("S3_BUCKET is required");
  return {
    endpoint: env.S3_ENDPOINT || undefined,
    region: env.S3_REGION || "us-east-1",
    bucket,
    accessKeyId: env.S3_ACCESS_KEY_ID || undefined,
    secretAccessKey: env.S3_SECRET_ACCESS_KEY || undefined,
    forcePathStyle: (env.S3_FORCE_PATH_STYLE ?? "true") !== "false",
    connectTimeoutMs: positiveMs(env, "S3_CONNECT_TIMEOUT_MS", S3_CONNECT_TIMEOUT_MS),
    requestTimeoutMs: positiveMs(env, "S3_REQUEST_TIMEOUT_MS", S3_REQUEST_TIMEOUT_MS),
  };
}

function positiveMs(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive number of milliseconds`);
  return value;
}

export function createS3Client(config: S3Config): S3Client {
  return new S3Client({
    endpoint: config.endpoint,
    region: config.region,
    forcePathStyle: config.forcePathStyle,
    credentials:
      config.accessKeyId && config.secretAccessKey ? { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey } : undefined,
    // Without timeouts a hung S3 (accepts the connection, never answers) blocks its caller forever.
    // throwOnRequestTimeout makes a request past its time fail (and be retried) instead of a warning.
    requestHandler: {
      connectionTimeout: config.connectTimeoutMs ?? S3_CONNECT_TIMEOUT_MS,
      requestTimeout: config.requestTimeoutMs ?? S3_REQUEST_TIMEOUT_MS,
      throwOnRequestTimeout: true,
    },
    // Plain checksums keep every S3 implementation happy (see shared/reference/infra-notes.md, section 3).
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}
