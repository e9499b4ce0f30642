// OCI images without Docker for the environment's own needs (the cluster's pause image, tests' small
// images): one reproducible tar layer, a config and a manifest, pushed with the bare distribution API.
// The product's builder (libs/image-layer, libs/oci-registry) is tested against these components, so
// this code stays independent of it.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readdirSync } from "node:fs";
import { gzipSync } from "node:zlib";

export interface Blob {
  digest: string;
  bytes: Buffer;
  mediaType: string;
}

export interface Image {
  layer: Blob;
  config: Blob;
  manifest: Blob;
}

const blob = (bytes: Buffer, mediaType: string): Blob => ({
  digest: `sha256:${createHash("sha256").update(bytes).digest("hex")}`,
  bytes,
  mediaType,
});

/** The image config's `config` part (what runs): Entrypoint, Cmd, User, Env, ExposedPorts, WorkingDir. */
export type RunConfig = Record<string, unknown>;

/**
 * An image of one layer holding the contents of `rootfs` (sorted entries, owner root, mtime 0). The
 * top-level entries are archived by name, so the layer has no "./" entry that would set the mode of "/".
 */
export function imageFromDir(rootfs: string, run: RunConfig): Image {
  const tar = execFileSync(
    "tar",
    ["--sort=name", "--owner=0", "--group=0", "--numeric-owner", "--mtime=@0", "--format=posix", "--pax-option=delete=atime,delete=ctime", "-C", rootfs, "-c", ...readdirSync(rootfs).sort()],
    { maxBuffer: 512 << 20 },
  );
  const layer = blob(gzipSync(tar, { level: 6 }), "application/vnd.oci.image.layer.v1.tar+gzip");
  const config = blob(
    Buffer.from(
      JSON.stringify({
        architecture: "amd64",
        os: "linux",
        config: run,
        rootfs: { type: "layers", diff_ids: [`sha256:${createHash("sha256").update(tar).digest("hex")}`] },
      }),
    ),
    "application/vnd.oci.image.config.v1+json",
  );
  const manifest = blob(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        config: { mediaType: config.mediaType, digest: config.digest, size: config.bytes.length },
        layers: [{ mediaType: layer.mediaType, digest: layer.digest, size: layer.bytes.length }],
      }),
    ),
    "application/vnd.oci.image.manifest.v1+json",
  );
  return { layer, config, manifest };
}

/**
 * Pushes blobs (skipping those the registry has) then the manifest under `tag`, with the bare OCI
 * distribution API; returns the registry's answer to the manifest PUT, or to the first call that failed
 * (tests assert on it: 401 without credentials, ...).
 */
export async function pushImageRaw(registryUrl: string, repo: string, tag: string, image: Image, headers: Record<string, string> = {}): Promise<Response> {
  for (const b of [image.layer, image.config]) {
    const head = await fetch(`${registryUrl}/v2/${repo}/blobs/${b.digest}`, { method: "HEAD", headers });
    if (head.status === 200) continue;
    const start = await fetch(`${registryUrl}/v2/${repo}/blobs/uploads/`, { method: "POST", headers });
    if (start.status !== 202) return start;
    const location = new URL(start.headers.get("location")!, registryUrl);
    location.searchParams.set("digest", b.digest);
    const put = await fetch(location, { method: "PUT", headers: { ...headers, "content-type": "application/octet-stream" }, body: b.bytes });
    if (put.status !== 201) return put;
  }
  return fetch(`${registryUrl}/v2/${repo}/manifests/${tag}`, { method: "PUT", headers: { ...headers, "content-type": image.manifest.mediaType }, body: image.manifest.bytes });
}

/** pushImageRaw that fails with the registry's answer; returns the manifest digest. */
export async function pushImage(registryUrl: string, repo: string, tag: string, image: Image): Promise<string> {
  const res = await pushImageRaw(registryUrl, repo, tag, image);
  if (res.status !== 201) throw new Error(`push ${repo}:${tag}: the registry answered ${res.status}: ${await res.text()}`);
  return image.manifest.digest;
}
