// Pushes an assembled image: the base's layers (skipped if present, mounted from the base repository on
// the same registry, else copied), the new layer, the config, and the manifest LAST, so a tag never
// points at an image whose blobs are not all there (the registry also refuses a manifest with unknown blobs).
import type { Logger } from "@fireworkers/observability";
import type { RegistryClient } from "./client.ts";
import type { ImageReference } from "./reference.ts";

// The shapes pushImage needs, structurally: @fireworkers/image-layer's BuiltImage, Layer and Descriptor fit them.
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}
export interface Layer {
  digest: string;
  size: number;
  bytes: Buffer;
}
export interface BuiltImage {
  config: { descriptor: Descriptor; bytes: Buffer };
  manifest: { descriptor: Descriptor; bytes: Buffer };
}

export interface BaseSource {
  client: RegistryClient;
  repository: string;
  layers: Descriptor[];
}

export interface PushResult {
  digest: string;
  bytesSent: number;
  blobs: Record<string, "exists" | "mounted" | "uploaded" | "copied">;
  ms: number;
}

export async function pushImage(
  client: RegistryClient,
  target: ImageReference,
  image: BuiltImage,
  layers: Layer[],
  base: BaseSource | undefined,
  log: Logger,
): Promise<PushResult> {
  const started = Date.now();
  const sentBefore = client.bytesSent;
  const blobs: PushResult["blobs"] = {};
  const repo = target.repository;
  // Blobs are independent of each other: send them side by side; only the manifest waits for all of them.
  const baseLayer = async (d: Descriptor) => {
    if ((await client.blobSize(repo, d.digest)) !== undefined) blobs[d.digest] = "exists";
    else if (base!.client.registry === client.registry && (await client.mountBlob(repo, d.digest, base!.repository))) blobs[d.digest] = "mounted";
    else {
      // Another registry, or one that does not mount: copy through this process.
      const bytes = await base!.client.getBlob(base!.repository, d.digest);
      await client.pushBlob(repo, { digest: d.digest, size: bytes.length, bytes });
      blobs[d.digest] = "copied";
    }
    log.debug({ blob: d.digest, size: d.size, result: blobs[d.digest] }, "base layer");
  };
  const newLayer = async (layer: Layer) => {
    blobs[layer.digest] = await client.pushBlob(repo, { digest: layer.digest, size: layer.size, bytes: layer.bytes });
    log.info({ blob: layer.digest, size: layer.size, result: blobs[layer.digest] }, "layer pushed");
  };
  const config = image.config;
  const configBlob = async () => {
    blobs[config.descriptor.digest] = await client.pushBlob(repo, { digest: config.descriptor.digest, size: config.descriptor.size, bytes: config.bytes });
  };
  await Promise.all([...(base?.layers ?? []).map(baseLayer), ...layers.map(newLayer), configBlob()]);
  const reference = target.tag ?? image.manifest.descriptor.digest;
  const digest = await client.putManifest(repo, reference, image.manifest.bytes, image.manifest.descriptor.mediaType);
  if (digest && digest !== image.manifest.descriptor.digest) {
    throw new Error(`the registry stored the manifest as ${digest}, not ${image.manifest.descriptor.digest}`);
  }
  return { digest: image.manifest.descriptor.digest, bytesSent: client.bytesSent - sentBefore, blobs, ms: Date.now() - started };
}
