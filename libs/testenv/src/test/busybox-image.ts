// A tiny runnable image (Debian's busybox-static) pushed with the bare OCI distribution API, used to
// prove the registry and containerd are real. The project's own OCI client (libs/oci-registry) is tested
// separately; this helper stays dependency-free on purpose so the environment is tested on its own.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

export interface Blob {
  digest: string;
  bytes: Buffer;
  mediaType: string;
}

const blob = (bytes: Buffer, mediaType: string): Blob => ({
  digest: `sha256:${createHash("sha256").update(bytes).digest("hex")}`,
  bytes,
  mediaType,
});

/** One layer (/bin/busybox, /bin/sh) + config whose Cmd echoes `message`. */
export function busyboxImage(message: string): { layer: Blob; config: Blob; manifest: Blob } {
  const root = mkdtempSync(join(tmpdir(), "busybox-rootfs-"));
  try {
    mkdirSync(join(root, "bin"));
    copyFileSync("/bin/busybox", join(root, "bin/busybox"));
    symlinkSync("busybox", join(root, "bin/sh"));
    const tar = execFileSync("tar", ["--sort=name", "--owner=0", "--group=0", "--numeric-owner", "--mtime=@0", "-C", root, "-c", "bin"], { maxBuffer: 64 << 20 });
    const layer = blob(gzipSync(tar, { level: 6 }), "application/vnd.oci.image.layer.v1.tar+gzip");
    const diffId = `sha256:${createHash("sha256").update(tar).digest("hex")}`;
    const config = blob(
      Buffer.from(
        JSON.stringify({
          architecture: "amd64",
          os: "linux",
          config: { Cmd: ["/bin/sh", "-c", `echo ${message}`] },
          rootfs: { type: "layers", diff_ids: [diffId] },
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
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** Monolithic blob uploads then the manifest PUT; returns the registry's answer to the first failing call. */
export async function pushImage(registryUrl: string, repo: string, tag: string, image: ReturnType<typeof busyboxImage>, headers: Record<string, string> = {}) {
  for (const b of [image.layer, image.config]) {
    const start = await fetch(`${registryUrl}/v2/${repo}/blobs/uploads/`, { method: "POST", headers });
    if (start.status !== 202) return start;
    const location = new URL(start.headers.get("location")!, registryUrl);
    location.searchParams.set("digest", b.digest);
    const put = await fetch(location, { method: "PUT", headers: { ...headers, "content-type": "application/octet-stream" }, body: b.bytes });
    if (put.status !== 201) return put;
  }
  return fetch(`${registryUrl}/v2/${repo}/manifests/${tag}`, {
    method: "PUT",
    headers: { ...headers, "content-type": image.manifest.mediaType },
    body: image.manifest.bytes,
  });
}
