// OCI images without Docker: one reproducible tar layer, a config and a manifest, pushed with the
// distribution API. Used for the pause image and by tests for small images.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
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

/** Pushes blobs (skipping those the registry has) then the manifest under `tag`; returns the manifest digest. */
export async function pushImage(registryUrl: string, repo: string, tag: string, image: Image): Promise<string> {
  for (const b of [image.layer, image.config]) {
    const head = await fetch(`${registryUrl}/v2/${repo}/blobs/${b.digest}`, { method: "HEAD" });
    if (head.status === 200) continue;
    const start = await fetch(`${registryUrl}/v2/${repo}/blobs/uploads/`, { method: "POST" });
    if (start.status !== 202) throw new Error(`push ${repo}: upload start answered ${start.status}: ${await start.text()}`);
    const location = new URL(start.headers.get("location")!, registryUrl);
    location.searchParams.set("digest", b.digest);
    const put = await fetch(location, { method: "PUT", headers: { "content-type": "application/octet-stream" }, body: b.bytes });
    if (put.status !== 201) throw new Error(`push ${repo}: blob PUT answered ${put.status}: ${await put.text()}`);
  }
  const res = await fetch(`${registryUrl}/v2/${repo}/manifests/${tag}`, {
    method: "PUT",
    headers: { "content-type": image.manifest.mediaType },
    body: image.manifest.bytes,
  });
  if (res.status !== 201) throw new Error(`push ${repo}:${tag}: manifest PUT answered ${res.status}: ${await res.text()}`);
  return image.manifest.digest;
}

/** Whether the registry already holds `repo:tag`. */
export async function hasManifest(registryUrl: string, repo: string, tag: string): Promise<boolean> {
  const res = await fetch(`${registryUrl}/v2/${repo}/manifests/${tag}`, {
    method: "HEAD",
    headers: { accept: "application/vnd.oci.image.manifest.v1+json" },
  });
  return res.status === 200;
}

/**
 * The pod sandbox image: upstream's `build/pause/linux/pause.c` (from the kubernetes module the Go
 * build already downloaded), compiled statically with gcc, as `/pause`, run as 65535 like upstream's.
 */
export function pauseImage(k8sVersion: string, workDir: string): Image {
  const gomodcache = execFileSync("go", ["env", "GOMODCACHE"], { encoding: "utf8" }).trim();
  const source = join(gomodcache, `k8s.io/kubernetes@${k8sVersion}/build/pause/linux/pause.c`);
  if (!existsSync(source)) {
    throw new Error(`${source} is missing: run scripts/go-tools.sh --node (it downloads the kubernetes module)`);
  }
  mkdirSync(workDir, { recursive: true });
  const rootfs = mkdtempSync(join(workDir, "pause-rootfs-"));
  try {
    const binary = join(workDir, "pause");
    execFileSync("gcc", ["-Os", "-static", "-s", "-Wall", "-DVERSION=v3.10.1-fireworkers", "-o", binary, source], { stdio: ["ignore", "pipe", "pipe"] });
    copyFileSync(binary, join(rootfs, "pause"));
    chmodSync(join(rootfs, "pause"), 0o755);
    return imageFromDir(rootfs, { Entrypoint: ["/pause"], User: "65535:65535" });
  } finally {
    rmSync(rootfs, { recursive: true, force: true });
  }
}
