// Pure: the bundle's layer entries, and the image settings (entrypoint, user, ports, labels).
import type { JobBuilderSpec } from "@fireworkers/crd-types";
import { RUNTIME_UID, WORKERD_PATH, type ImageSettings, type TarEntry } from "@fireworkers/image-layer";
import type { RenderedConfig } from "@fireworkers/workerd-config";
import { moduleId } from "./download-modules.ts";

export const WORKER_DIR = "worker";
export const CONFIG_PATH = `/${WORKER_DIR}/config.capnp`;

/** /worker/config.capnp and every file it embeds. */
export function bundleEntries(rendered: RenderedConfig, modules: ReadonlyMap<string, Buffer>): TarEntry[] {
  return [
    { path: `${WORKER_DIR}/config.capnp`, type: "file", content: Buffer.from(rendered.config) },
    ...rendered.files.map((f): TarEntry => {
      if (f.kind === "static") return { path: `${WORKER_DIR}/${f.path}`, type: "file", content: f.content };
      const content = modules.get(moduleId(f.script, f.versionId, f.moduleName));
      if (!content) throw new Error(`module ${f.moduleName} of ${f.script} version ${f.versionId} was not downloaded`);
      return { path: `${WORKER_DIR}/${f.path}`, type: "file", content };
    }),
  ];
}

export function bundleImageSettings(spec: JobBuilderSpec, rendered: RenderedConfig, base: { ref: string; digest: string }): ImageSettings {
  return {
    entrypoint: [`/${WORKERD_PATH}`, "serve", CONFIG_PATH],
    user: `${RUNTIME_UID}:${RUNTIME_UID}`,
    workingDir: `/${WORKER_DIR}`,
    exposedPorts: rendered.sockets.map((s) => s.port),
    labels: {
      "io.fireworkers.account": spec.accountId,
      "io.fireworkers.release": spec.releaseName,
      "io.fireworkers.input-hash": spec.inputHash,
      "io.fireworkers.scripts": [...spec.scripts.map((s) => s.name)].sort().join(","),
      // <script>=<version>:<percentage>[,<version>:<percentage>];...
      "io.fireworkers.versions": [...spec.scripts]
        .sort((a, b) => (a.name < b.name ? -1 : 1))
        .map((s) => `${s.name}=${s.versions.map((v) => `${v.versionId}:${v.percentage}`).join(",")}`)
        .join(";"),
      "io.fireworkers.ports": rendered.sockets.map((s) => `${s.script ?? "router"}=${s.port}`).join(","),
      "org.opencontainers.image.base.name": base.ref,
      "org.opencontainers.image.base.digest": base.digest,
    },
    createdBy: "fireworkers job-builder: workerd config + modules",
  };
}
