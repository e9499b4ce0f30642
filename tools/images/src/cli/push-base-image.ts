#!/usr/bin/env node
// `make base-image`: builds the runtime base image (workerd + glibc + CA certificates) and pushes it.
//   BASE_IMAGE_REPOSITORY  where to push, e.g. 127.0.0.1:5000/fireworkers/workerd-runtime (required)
//   REGISTRY_AUTH_FILE, REGISTRY_PLAIN_HTTP  as for the job-builder
//   BASE_IMAGE_REF_FILE    also write `<repository>@<digest>` there (optional)
// Prints `<repository>@<digest>` on stdout: reference the base by that digest (BASE_IMAGE).
import { writeFileSync } from "node:fs";
import { parseReference, pushImage, registryClient, registrySettingsFromEnv } from "@fireworkers/oci-registry";
import { createLogger } from "@fireworkers/observability";
import { buildBaseImage } from "../base-image/build-base-image.ts";

const log = createLogger("push-base-image");
try {
  const repository = process.env.BASE_IMAGE_REPOSITORY;
  if (!repository) throw new Error("BASE_IMAGE_REPOSITORY is required, e.g. 127.0.0.1:5000/fireworkers/workerd-runtime");
  const started = Date.now();
  const image = buildBaseImage();
  log.info({ ms: Date.now() - started, layerBytes: image.layer.size, tarBytes: image.layer.tarSize, workerd: image.version, packages: image.packages }, "base image assembled");
  const target = parseReference(`${repository}:workerd-${image.version}`);
  const client = registryClient(target.registry, registrySettingsFromEnv(process.env), log);
  const pushed = await pushImage(client, target, image, [image.layer], undefined, log);
  const ref = `${target.registry}/${target.repository}@${pushed.digest}`;
  log.info({ ref, bytesSent: pushed.bytesSent, ms: pushed.ms }, "base image pushed");
  if (process.env.BASE_IMAGE_REF_FILE) writeFileSync(process.env.BASE_IMAGE_REF_FILE, `${ref}\n`);
  process.stdout.write(`${ref}\n`);
} catch (err) {
  log.error({ err }, `base image failed: ${(err as Error).message}`);
  process.exitCode = 1;
}
