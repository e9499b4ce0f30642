// A typed model of the parts of workerd's config schema (src/workerd/server/workerd.capnp in cloudflare/workerd)
// that fireworkers uses or is about to use. Plain data: the renderer builds it, print.ts turns it into capnp text.
// Field names are the schema's, so a reader can check one against the other.
//
// To add a binding kind (e.g. `queue`):
//   1. add one line to `BindingValues` below: the schema's field name → the type of its value;
//   2. add one entry to `BINDING_VALUE` in print.ts (the compiler refuses the build until you do);
//   3. add a printing test in print.test.ts, and, if a Cloudflare binding type maps to it, a case in bindings.ts.
// Any other schema field: add it here (optional), print it in print.ts in schema order.

/** File content read by the capnp compiler, relative to the config file (`embed "path"`). */
export interface Embed {
  embed: string;
}
/** A Text field: inline, or a file next to the config. */
export type TextSource = string | Embed;
/** A Data field: inline bytes, or a file next to the config. */
export type DataSource = Uint8Array | Embed;

export interface Config {
  services: Service[];
  sockets: Socket[];
  logging?: LoggingOptions;
}

export interface LoggingOptions {
  /** JSON log lines from workerd and from console.* of the workers. */
  structuredLogging?: boolean;
  stdoutPrefix?: string;
  stderrPrefix?: string;
}

/** `Socket`: only the plain-HTTP variant. */
export interface Socket {
  name: string;
  /** "*:8080"; optional in the schema (then `workerd serve --socket-addr` must give it). */
  address?: string;
  http: HttpOptions;
  service: ServiceDesignator;
}

export interface HttpOptions {
  style?: "host" | "proxy";
  forwardedProtoHeader?: string;
  cfBlobHeader?: string;
  injectRequestHeaders?: Header[];
  injectResponseHeaders?: Header[];
}

export interface Header {
  name: string;
  value: string;
}

/** `ServiceDesignator`: printed as the bare name when there is no entrypoint or props, as the schema allows. */
export interface ServiceDesignator {
  name: string;
  entrypoint?: string;
  /** `ctx.props` of the target worker (the schema's `props = (json = "...")`); JSON text. */
  props?: { json: string };
}

/** `Service`: a name and exactly one of worker / external / network / disk. */
export type Service = { name: string } & (
  | { worker: Worker; /** Printed as a comment above the worker; not part of the schema. */ comment?: string }
  | { external: ExternalServer }
  | { network: Network }
  | { disk: DiskDirectory }
);

export interface Worker {
  /** The first module is the main one. */
  modules: Module[];
  compatibilityDate: string;
  compatibilityFlags?: string[];
  bindings?: Binding[];
  /** Where global fetch() goes; the schema's default is the service "internet". */
  globalOutbound?: ServiceDesignator;
  /** Tail workers that get this worker's trace events. */
  tails?: ServiceDesignator[];
}

/** `Worker.Module`: the schema field that holds the content, by module kind. */
export interface ModuleValues {
  esModule: TextSource;
  commonJsModule: TextSource;
  text: TextSource;
  data: DataSource;
  wasm: DataSource;
  /** JSON text. */
  json: TextSource;
}
export type ModuleKind = keyof ModuleValues;
export type Module = { [K in ModuleKind]: { name: string; kind: K; value: ModuleValues[K] } }[ModuleKind];

/** `Worker.Binding`: the schema field of the binding's union → the type of its value. One line per kind. */
export interface BindingValues {
  text: TextSource;
  data: DataSource;
  /** JSON text, parsed by workerd into the binding's value. */
  json: string;
  wasmModule: DataSource;
  service: ServiceDesignator;
  /** Every KV call becomes an HTTP request to this service. */
  kvNamespace: ServiceDesignator;
  /** Every R2 call becomes an HTTP request to this service. */
  r2Bucket: ServiceDesignator;
  /** Name of an environment variable of the workerd process; unset → null. */
  fromEnvironment: string;
  wrapped: WrappedBinding;
}
export type BindingKind = keyof BindingValues;
export type BindingOf<K extends BindingKind> = { name: string; kind: K; value: BindingValues[K] };
export type Binding = { [K in BindingKind]: BindingOf<K> }[BindingKind];

/** A module (internal or from an extension) whose export turns the inner bindings into the binding's value. */
export interface WrappedBinding {
  moduleName: string;
  /** The schema's default is "default". */
  entrypoint?: string;
  innerBindings?: Binding[];
}

/** `ExternalServer`: only the plain-HTTP variant. */
export interface ExternalServer {
  /** "host:port" */
  address: string;
  http: HttpOptions;
}

/** `Network`: the schema's default `allow` is ["public"]. */
export interface Network {
  allow?: string[];
  deny?: string[];
}

/** `DiskDirectory`: a directory served over HTTP (GET, and PUT/DELETE when writable). */
export interface DiskDirectory {
  path: string;
  writable?: boolean;
  allowDotfiles?: boolean;
}
