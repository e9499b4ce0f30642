#!/usr/bin/env node
// The build Job's program: builds the bundle image of one JobBuilder and reports its digest. It runs to
// completion (no server): the Job's status is its health. Exit 0 = image in the registry; else 1 + reason.
//
// Input: the JobBuilder named JOB_BUILDER_NAME in NAMESPACE (read from the apiserver, status reported
// back), or a JobBuilder file given with --file <path> (JSON or YAML; nothing reported to the apiserver).
// Environment: see README.md ("job-builder").
import { existsSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { JobBuilder } from "@fireworkers/crd-types";
import { registrySettingsFromEnv } from "@fireworkers/oci-registry";
import { createLogger } from "@fireworkers/observability";
import { createS3Client, s3ConfigFromEnv } from "@fireworkers/storage";
import { buildBundleImage } from "./build.ts";
import { applyImageStatus, createKube, getJobBuilder, readJobBuilderFile } from "./job-builder-object.ts";

const DEFAULT_TERMINATION_LOG = "/dev/termination-log";
const log = createLogger("job-builder");

/** Kubernetes shows this file's content as the container's termination message. Outside a pod the default
 * path does not exist, and we do not create it. */
function writeTerminationMessage(message: string) {
  const path = process.env.TERMINATION_MESSAGE_PATH || DEFAULT_TERMINATION_LOG;
  if (!process.env.TERMINATION_MESSAGE_PATH && !existsSync(path)) return;
  try {
    writeFileSync(path, message);
  } catch (err) {
    log.warn({ err, path }, "cannot write the termination message");
  }
}

async function main() {
  const started = Date.now();
  const { values } = parseArgs({ options: { file: { type: "string" } } });
  const file = values.file ?? process.env.JOB_BUILDER_FILE;
  let jobBuilder: JobBuilder;
  let fromApi: { kube: ReturnType<typeof createKube>; name: string } | undefined;
  if (file) {
    jobBuilder = readJobBuilderFile(file);
  } else {
    const name = process.env.JOB_BUILDER_NAME;
    const namespace = process.env.NAMESPACE;
    if (!name || !namespace) throw new Error("set JOB_BUILDER_NAME and NAMESPACE (or pass --file <JobBuilder.json>)");
    const kube = createKube(namespace);
    jobBuilder = await getJobBuilder(kube, name);
    fromApi = { kube, name };
  }
  log.info({ jobBuilder: jobBuilder.metadata?.name ?? null, account: jobBuilder.spec.accountId, scripts: jobBuilder.spec.scripts.length, target: `${jobBuilder.spec.image.repository}:${jobBuilder.spec.image.tag}` }, "build started");

  const s3 = createS3Client(s3ConfigFromEnv(process.env));
  try {
    const result = await buildBundleImage(jobBuilder.spec, { s3, registry: registrySettingsFromEnv(process.env), baseImage: process.env.BASE_IMAGE, log });
    if (fromApi) await applyImageStatus(fromApi.kube, fromApi.name, result.image, result.digest);
    writeTerminationMessage(result.image);
    log.info({ image: result.image, outcome: result.outcome, bytesSent: result.bytesSent, ms: Date.now() - started }, "build succeeded");
  } finally {
    s3.destroy();
  }
}

try {
  await main();
} catch (err) {
  const message = (err as Error).message;
  log.error({ err }, `build failed: ${message}`);
  writeTerminationMessage(`build failed: ${message}`.slice(0, 4000));
  process.exitCode = 1;
}
