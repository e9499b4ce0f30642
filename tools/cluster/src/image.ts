// The cluster's own images: the pause image, and the registry check behind "pushed already?".
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { imageFromDir, type Image } from "@fireworkers/testenv";

export { imageFromDir, pushImage, type Image, type RunConfig } from "@fireworkers/testenv";

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
