import { S3Client } from "@aws-sdk/client-s3";

/** Where the platform keeps uploaded modules: any S3 (MinIO, AWS, Scaleway, versitygw, ...). */
export interface S3Config {
  endpoint?: string;
  region: string;
  bucket: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  forcePathStyle: boolean;
}

/**
 * Reads the S3 settings every app shares:
 *   S3_ENDPOINT (unset = AWS), S3_REGION (us-east-1), S3_BUCKET (required),
 *   S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY (unset = the SDK's default chain), S3_FORCE_PATH_STYLE (true).
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
  };
}

export function createS3Client(config: S3Config): S3Client {
  return new S3Client({
    endpoint: config.endpoint,
    region: config.region,
    forcePathStyle: config.forcePathStyle,
    credentials:
      config.accessKeyId && config.secretAccessKey ? { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey } : undefined,
    // Plain checksums keep every S3 implementation happy (see shared/reference/infra-notes.md, section 3).
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}
