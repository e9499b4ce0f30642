// OCI image config and manifest on top of a base image. Objects are built field by field in a fixed
// order and labels are sorted, so the JSON (and its digest) depends only on the inputs.
import type { Layer } from "./layer.ts";
import { sha256Digest } from "./layer.ts";

export const MEDIA_TYPES = {
  manifest: "application/vnd.oci.image.manifest.v1+json",
  config: "application/vnd.oci.image.config.v1+json",
  layer: "application/vnd.oci.image.layer.v1.tar+gzip",
} as const;

/** The subset of the OCI image config we read and write. Unknown fields of a base config are kept. */
export interface ImageConfig {
  architecture: string;
  os: string;
  created?: string;
  config?: {
    User?: string;
    Env?: string[];
    Entrypoint?: string[];
    Cmd?: string[];
    WorkingDir?: string;
    ExposedPorts?: Record<string, object>;
    Labels?: Record<string, string>;
    [key: string]: unknown;
  };
  rootfs: { type: "layers"; diff_ids: string[] };
  history?: { created?: string; created_by?: string; comment?: string; empty_layer?: boolean }[];
  [key: string]: unknown;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

export interface ImageSettings {
  entrypoint?: string[];
  cmd?: string[];
  user?: string;
  workingDir?: string;
  env?: string[];
  exposedPorts?: number[];
  labels?: Record<string, string>;
  /** history entry of the new layer */
  createdBy: string;
}

/** A fixed creation time: the image is a function of its inputs, not of when it was built. */
export const IMAGE_CREATED = "1970-01-01T00:00:00Z";

const sortedRecord = <T>(record: Record<string, T>) => Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** The base's config with `layers` appended and the settings applied on top. */
export function imageConfig(base: ImageConfig | undefined, layers: Layer[], settings: ImageSettings): ImageConfig {
  const baseConfig = base?.config ?? {};
  const labels = sortedRecord({ ...(baseConfig.Labels ?? {}), ...(settings.labels ?? {}) });
  const ports = sortedRecord({
    ...(baseConfig.ExposedPorts ?? {}),
    ...Object.fromEntries((settings.exposedPorts ?? []).map((p) => [`${p}/tcp`, {}])),
  });
  const config: ImageConfig["config"] = { ...baseConfig };
  if (settings.user !== undefined) config.User = settings.user;
  if (settings.env !== undefined) config.Env = [...(baseConfig.Env ?? []).filter((e) => !settings.env!.some((n) => n.split("=")[0] === e.split("=")[0])), ...settings.env];
  if (settings.entrypoint !== undefined) {
    config.Entrypoint = settings.entrypoint;
    // Like a Dockerfile: a new ENTRYPOINT resets an inherited CMD.
    delete config.Cmd;
  }
  if (settings.cmd !== undefined) config.Cmd = settings.cmd;
  if (settings.workingDir !== undefined) config.WorkingDir = settings.workingDir;
  if (Object.keys(ports).length) config.ExposedPorts = ports;
  if (Object.keys(labels).length) config.Labels = labels;
  return {
    ...(base ?? {}),
    architecture: base?.architecture ?? "amd64",
    os: base?.os ?? "linux",
    created: IMAGE_CREATED,
    config,
    rootfs: { type: "layers", diff_ids: [...(base?.rootfs.diff_ids ?? []), ...layers.map((l) => l.diffId)] },
    history: [...(base?.history ?? []), ...layers.map(() => ({ created: IMAGE_CREATED, created_by: settings.createdBy }))],
  };
}

export interface BuiltImage {
  config: { descriptor: Descriptor; bytes: Buffer };
  manifest: { descriptor: Descriptor; bytes: Buffer };
}

/** Serializes the config and the manifest listing the base layers then the new ones. */
export function imageManifest(config: ImageConfig, baseLayers: Descriptor[], layers: Layer[], annotations?: Record<string, string>): BuiltImage {
  const configBytes = Buffer.from(JSON.stringify(config));
  const configDescriptor: Descriptor = { mediaType: MEDIA_TYPES.config, digest: sha256Digest(configBytes), size: configBytes.length };
  const manifest = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.manifest,
    config: configDescriptor,
    layers: [...baseLayers, ...layers.map((l) => ({ mediaType: MEDIA_TYPES.layer, digest: l.digest, size: l.size }))],
    ...(annotations && Object.keys(annotations).length ? { annotations: sortedRecord(annotations) } : {}),
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  return {
    config: { descriptor: configDescriptor, bytes: configBytes },
    manifest: { descriptor: { mediaType: MEDIA_TYPES.manifest, digest: sha256Digest(manifestBytes), size: manifestBytes.length }, bytes: manifestBytes },
  };
}
