// Builds the runtime base image from real packages on this machine (a make-time tool: workerd is a
// devDependency of the job-builder, not in its image): workerd from npm (the version pinned
// in package-lock.json) and glibc + CA certificates from the installed Debian packages. Same inputs →
// same layer bytes → same digest (see libs/image-layer).
import { execFileSync } from "node:child_process";
import { readFileSync, realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { createLayer, imageConfig, imageManifest, type BuiltImage, type Layer, type TarEntry } from "@fireworkers/image-layer";
import { DEBIAN_PACKAGES, generatedEntries, HOST_FILES, RUNTIME_UID, WORKERD_PATH } from "./files.ts";

export interface BaseImage extends BuiltImage {
  layer: Layer;
  workerdVersion: string;
  packages: Record<string, string>;
}

/** The workerd binary of the npm package @cloudflare/workerd-linux-64 (what the `workerd` package runs). */
export function workerdBinary(): { path: string; version: string } {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve("@cloudflare/workerd-linux-64/package.json");
  const version = (JSON.parse(readFileSync(pkg, "utf8")) as { version: string }).version;
  return { path: join(dirname(pkg), "bin/workerd"), version };
}

export function debianVersions(): Record<string, string> {
  const out = execFileSync("dpkg-query", ["-W", "-f", "${Package} ${Version}\\n", ...DEBIAN_PACKAGES], { encoding: "utf8" });
  return Object.fromEntries(
    out
      .trim()
      .split("\n")
      .map((line) => line.split(" ") as [string, string])
      .map(([name, version]) => [name.replace(/:.*/, ""), version]),
  );
}

export function buildBaseImage(): BaseImage {
  const workerd = workerdBinary();
  const packages = debianVersions();
  const entries: TarEntry[] = [
    { path: WORKERD_PATH, type: "file", content: readFileSync(workerd.path), mode: 0o755 },
    ...HOST_FILES.map((f) => ({ path: f.imagePath, type: "file" as const, content: readFileSync(realpathSync(f.hostPath)), mode: f.mode })),
    ...generatedEntries(),
  ];
  const layer = createLayer(entries);
  const config = imageConfig(undefined, [layer], {
    user: `${RUNTIME_UID}:${RUNTIME_UID}`,
    env: ["PATH=/usr/local/bin", "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"],
    entrypoint: [`/${WORKERD_PATH}`],
    workingDir: "/",
    labels: {
      "org.opencontainers.image.title": "fireworkers workerd runtime",
      "org.opencontainers.image.description": "workerd + glibc + CA certificates, nothing else",
      "io.fireworkers.workerd.version": workerd.version,
      ...Object.fromEntries(Object.entries(packages).map(([name, version]) => [`io.fireworkers.debian.${name}`, version])),
    },
    createdBy: "fireworkers base image: workerd (npm) + glibc + CA certificates (Debian)",
  });
  return { ...imageManifest(config, [], [layer]), layer, workerdVersion: workerd.version, packages };
}
