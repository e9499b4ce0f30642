// The build, step by step: base → modules → config → layer → image → push. Each step logs what it did,
// how big and how long; any failure throws with the reason.
import type { S3Client } from "@aws-sdk/client-s3";
import type { JobBuilderSpec } from "@fireworkers/crd-types";
import { createLayer, imageConfig, imageManifest } from "@fireworkers/image-layer";
import { formatReference, parseReference, pushImage, registryClient, type RegistrySettings } from "@fireworkers/oci-registry";
import type { Logger } from "@fireworkers/observability";
import { renderConfig } from "@fireworkers/workerd-config";
import { parseBaseRef, resolveBase } from "./base-source.ts";
import { bundleEntries, bundleImageSettings } from "./bundle-image.ts";
import { downloadModules, modulesToFetch } from "./download-modules.ts";

export interface BuildResult {
  /** repository@digest */
  image: string;
  digest: string;
  /** "pushed", "tagged" (manifest was there, tag added), or "skipped" (tag already points at it). */
  outcome: "pushed" | "tagged" | "skipped";
  bytesSent: number;
}

export async function buildBundleImage(
  spec: JobBuilderSpec,
  deps: { s3: S3Client; registry: RegistrySettings; baseImage: string | undefined; log: Logger },
): Promise<BuildResult> {
  const { log } = deps;
  const target = parseReference(`${spec.image.repository}:${spec.image.tag}`);
  const baseRef = parseBaseRef(deps.baseImage);
  const client = registryClient(target.registry, deps.registry, log);
  const baseClient = baseRef.registry === target.registry ? client : registryClient(baseRef.registry, deps.registry, log);
  await client.ping();

  let t = Date.now();
  const base = await resolveBase(baseClient, baseRef);
  log.info({ base: formatReference(baseRef), layers: base.layers.length, bytes: base.layers.reduce((n, l) => n + l.size, 0), ms: Date.now() - t }, "base image resolved");

  t = Date.now();
  const wanted = modulesToFetch(spec.scripts);
  const modules = await downloadModules(deps.s3, wanted);
  log.info({ modules: wanted.length, bytes: wanted.reduce((n, m) => n + m.size, 0), ms: Date.now() - t }, "modules downloaded and verified");

  t = Date.now();
  const rendered = renderConfig(spec.scripts, { bindingsGateway: spec.bindingsGateway });
  for (const warning of rendered.warnings) log.warn({ warning }, "config");
  log.info({ scripts: spec.scripts.length, configBytes: rendered.config.length, sockets: rendered.sockets, ms: Date.now() - t }, "config rendered");

  t = Date.now();
  const layer = createLayer(bundleEntries(rendered, modules));
  const image = imageManifest(
    imageConfig(base.config, [layer], bundleImageSettings(spec, rendered, { ref: formatReference({ ...baseRef, digest: undefined }), digest: base.digest })),
    base.layers,
    [layer],
  );
  const digest = image.manifest.descriptor.digest;
  const ref = `${target.registry}/${target.repository}@${digest}`;
  log.info({ layer: layer.digest, layerBytes: layer.size, tarBytes: layer.tarSize, digest, ms: Date.now() - t }, "image assembled");

  t = Date.now();
  if ((await client.manifestDigest(target.repository, spec.image.tag)) === digest) {
    log.info({ image: ref, tag: spec.image.tag }, "image already in the registry under this tag: push skipped");
    return { image: ref, digest, outcome: "skipped", bytesSent: client.bytesSent };
  }
  if ((await client.manifestDigest(target.repository, digest)) === digest) {
    await client.putManifest(target.repository, spec.image.tag, image.manifest.bytes, image.manifest.descriptor.mediaType);
    log.info({ image: ref, tag: spec.image.tag, ms: Date.now() - t }, "image already in the registry: only the tag was set");
    return { image: ref, digest, outcome: "tagged", bytesSent: client.bytesSent };
  }
  const pushed = await pushImage(client, target, image, [layer], { client: baseClient, repository: baseRef.repository, layers: base.layers }, log);
  log.info({ image: ref, tag: spec.image.tag, bytesSent: pushed.bytesSent, blobs: pushed.blobs, ms: pushed.ms }, "image pushed");
  return { image: ref, digest, outcome: "pushed", bytesSent: client.bytesSent };
}
