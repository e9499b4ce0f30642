// Resolves the base image (by digest) to its config and layers, verifying the manifest bytes against the digest.
import { sha256Digest as sha256, type Descriptor, type ImageConfig } from "@fireworkers/image-layer";
import { MEDIA, parseReference, type ImageReference, type RegistryClient } from "@fireworkers/oci-registry";

export interface ResolvedBase {
  ref: ImageReference;
  /** The single-platform manifest's digest. */
  digest: string;
  config: ImageConfig;
  layers: Descriptor[];
}

export function parseBaseRef(text: string | undefined): ImageReference {
  if (!text) throw new Error("BASE_IMAGE is required: the runtime base image by digest, e.g. registry.example.com/fireworkers/workerd-runtime@sha256:...");
  const ref = parseReference(text);
  if (!ref.digest) throw new Error(`BASE_IMAGE must name the base by digest (…@sha256:…), not by tag: ${text}`);
  return ref;
}

export async function resolveBase(client: RegistryClient, ref: ImageReference): Promise<ResolvedBase> {
  let digest = ref.digest!;
  let manifest = await client.getManifest(ref.repository, digest);
  if (sha256(manifest.bytes) !== digest) throw new Error(`base manifest ${ref.repository}@${digest} does not match its digest`);
  let doc = JSON.parse(manifest.bytes.toString("utf8"));
  if (manifest.mediaType === MEDIA.ociIndex || manifest.mediaType === MEDIA.dockerManifestList) {
    const entry = (doc.manifests as { digest: string; platform?: { os?: string; architecture?: string } }[]).find(
      (m) => m.platform?.os === "linux" && m.platform?.architecture === "amd64",
    );
    if (!entry) throw new Error(`base image ${ref.repository}@${digest} has no linux/amd64 image`);
    digest = entry.digest;
    manifest = await client.getManifest(ref.repository, digest);
    if (sha256(manifest.bytes) !== digest) throw new Error(`base manifest ${ref.repository}@${digest} does not match its digest`);
    doc = JSON.parse(manifest.bytes.toString("utf8"));
  }
  const configBytes = await client.getBlob(ref.repository, doc.config.digest);
  if (sha256(configBytes) !== doc.config.digest) throw new Error(`base config ${doc.config.digest} does not match its digest`);
  const layers = (doc.layers as Descriptor[]).map(({ mediaType, digest: d, size }) => ({ mediaType, digest: d, size }));
  return { ref, digest, config: JSON.parse(configBytes.toString("utf8")) as ImageConfig, layers };
}
