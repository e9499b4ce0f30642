import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { goBinary } from "./binaries.ts";
import { freePort } from "./ports.ts";
import { probe } from "./probe.ts";
import { startProcess, type RunningProcess } from "./process.ts";

export interface S3Info {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** A bucket created at start, for the platform's objects. */
  bucket: string;
  forcePathStyle: true;
}

/** versitygw over a POSIX directory: a real S3 server that verifies SigV4 and does multipart uploads. */
export async function startS3(dir: string, logDir: string): Promise<{ info: S3Info; processes: RunningProcess[] }> {
  const root = join(dir, "s3");
  mkdirSync(root, { recursive: true });
  const port = await freePort();
  const info: S3Info = {
    endpoint: `http://127.0.0.1:${port}`,
    region: "us-east-1",
    accessKeyId: `AK${randomBytes(8).toString("hex").toUpperCase()}`,
    secretAccessKey: randomBytes(20).toString("base64url"),
    bucket: "fireworkers",
    forcePathStyle: true,
  };
  const gateway = await startProcess({
    name: "versitygw",
    command: goBinary("versitygw"),
    args: ["--port", `127.0.0.1:${port}`, "--region", info.region, "posix", root],
    env: { ROOT_ACCESS_KEY: info.accessKeyId, ROOT_SECRET_KEY: info.secretAccessKey },
    logDir,
    // Any HTTP answer (403 for an unsigned request) means it serves.
    ready: async () => (await probe(`${info.endpoint}/`)) > 0,
  });
  const s3 = s3Client(info);
  await s3.send(new CreateBucketCommand({ Bucket: info.bucket }));
  s3.destroy();
  return { info, processes: [gateway] };
}

export function s3Client(info: Omit<S3Info, "bucket">): S3Client {
  return new S3Client({
    endpoint: info.endpoint,
    region: info.region,
    forcePathStyle: true,
    credentials: { accessKeyId: info.accessKeyId, secretAccessKey: info.secretAccessKey },
    // Plain checksums keep any S3 implementation happy (see reference/infra-notes.md, section 3).
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}

/** The S3_* variables the apps read (libs/storage), pointing at this S3. */
export function s3Env(info: S3Info): Record<string, string> {
  return {
    S3_ENDPOINT: info.endpoint,
    S3_REGION: info.region,
    S3_BUCKET: info.bucket,
    S3_ACCESS_KEY_ID: info.accessKeyId,
    S3_SECRET_ACCESS_KEY: info.secretAccessKey,
    S3_FORCE_PATH_STYLE: "true",
  };
}
