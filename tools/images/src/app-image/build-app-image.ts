// Assembles an app's image (fake-cf-api, operator, job-builder) on the Node base: one layer with the
// root package.json, the app's and its workspace libraries' sources, and its production dependencies as
// npm installed them (`npm ls --omit=dev`), under /app with the repository's layout, so Node resolves
// modules exactly as in the repository.
import { execFileSync } from "node:child_process";
import { lstatSync, readdirSync, readFileSync, readlinkSync, realpathSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { createLayer, imageConfig, imageManifest, RUNTIME_UID, type BuiltImage, type Layer, type TarEntry } from "@fireworkers/image-layer";
import { appEntrypoint, isPackageFile, isRuntimeSource } from "./app-files.ts";

export interface AppImage extends BuiltImage {
  layer: Layer;
}

/** Absolute directories of the workspace's production dependencies, the workspace symlinks included. */
export function productionPackages(root: string, workspace: string): string[] {
  const repoRoot = resolve(root);
  const out = execFileSync("npm", ["ls", "--omit=dev", "--all", "--parseable", "-w", workspace], { cwd: repoRoot, encoding: "utf8", maxBuffer: 16 << 20 });
  return [...new Set(out.split("\n").filter((l) => l && l !== repoRoot))].sort();
}

function walk(dir: string, keep: (rel: string) => boolean, root: string, imageRoot: string, out: TarEntry[]) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const abs = join(dir, entry.name);
    const rel = relative(root, abs);
    if (!keep(rel)) continue;
    const path = `${imageRoot}/${relative(root, abs)}`;
    if (entry.isSymbolicLink()) out.push({ path, type: "symlink", linkTarget: readlinkSync(abs) });
    else if (entry.isDirectory()) walk(abs, keep, root, imageRoot, out);
    else if (entry.isFile()) out.push({ path, type: "file", content: readFileSync(abs), mode: statSync(abs).mode & 0o111 ? 0o755 : 0o644 });
  }
}

export function appEntries(root: string, packageDirs: string[]): TarEntry[] {
  const repoRoot = resolve(root);
  const entries: TarEntry[] = [{ path: "app/package.json", type: "file", content: readFileSync(join(repoRoot, "package.json")) }];
  const seen = new Set<string>();
  for (const dir of packageDirs) {
    const rel = relative(repoRoot, dir);
    if (lstatSync(dir).isSymbolicLink()) {
      // node_modules/@fireworkers/<x> → ../../libs/<x>: keep the link, and ship the workspace's sources.
      entries.push({ path: `app/${rel}`, type: "symlink", linkTarget: readlinkSync(dir) });
      const real = realpathSync(dir);
      if (!seen.has(real)) walk(real, (r) => isRuntimeSource(r) || r === "src", real, `app/${relative(repoRoot, real)}`, entries);
      seen.add(real);
    } else if (!seen.has(dir)) {
      seen.add(dir);
      walk(dir, isPackageFile, dir, `app/${rel}`, entries);
    }
  }
  // Nested package directories appear both on their own and inside their parent: keep one copy.
  const byPath = new Map(entries.map((e) => [e.path, e]));
  return [...byPath.values()];
}

export function buildAppImage(repoRoot: string, workspace: string, base: BuiltImage, baseRef: string): AppImage {
  const layer = createLayer(appEntries(repoRoot, productionPackages(repoRoot, workspace)));
  const app = workspace.split("/").at(-1)!;
  const config = imageConfig(JSON.parse(base.config.bytes.toString("utf8")), [layer], {
    entrypoint: appEntrypoint(workspace),
    user: `${RUNTIME_UID}:${RUNTIME_UID}`,
    workingDir: "/app",
    labels: {
      "org.opencontainers.image.title": `fireworkers ${app}`,
      "org.opencontainers.image.base.name": baseRef,
      "org.opencontainers.image.base.digest": base.manifest.descriptor.digest,
    },
    createdBy: `fireworkers app image: ${workspace} sources + production node_modules`,
  });
  const baseLayers = JSON.parse(base.manifest.bytes.toString("utf8")).layers;
  return { ...imageManifest(config, baseLayers, [layer]), layer };
}
