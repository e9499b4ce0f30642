// The input of the renderer: what a JobBuilder says about its scripts, without the storage details.
// Structurally a subset of JobBuilderSpec["scripts"], so the job-builder passes the spec as is.
import type { Binding, ModuleType } from "@fireworkers/crd-types";

export interface BundleModule {
  name: string;
  type: ModuleType;
}

export interface BundleVersion {
  versionId: string;
  percentage: number;
  mainModule: string;
  modules: BundleModule[];
  bindings?: Binding[];
  compatibilityDate?: string;
  compatibilityFlags?: string[];
}

export interface BundleScript {
  name: string;
  workerNumber: number;
  versions: BundleVersion[];
}

export interface RenderOptions {
  /** Newest compatibility date the pinned workerd accepts; later dates are clamped to it. */
  maxCompatibilityDate?: string;
  /** Port of script `workerNumber` n is basePort + n. */
  basePort?: number;
  routerPort?: number;
  /** host:port of the bindings gateway (the KV bindings' external service). */
  bindingsGateway?: string;
}

/** A file of the layer, relative to the config's directory (/worker in the image). */
export type LayerFile =
  | { path: string; kind: "module"; script: string; versionId: string; moduleName: string }
  | { path: string; kind: "static"; content: Buffer };

export interface RenderedConfig {
  /** config.capnp */
  config: string;
  /** Every other file the config embeds, sorted by path. */
  files: LayerFile[];
  /** The sockets, for the image's exposed ports and for the operator's Service. */
  sockets: { name: string; port: number; script: string | null }[];
  /** Things that were adjusted or stubbed, in plain words, for the build log. */
  warnings: string[];
}
