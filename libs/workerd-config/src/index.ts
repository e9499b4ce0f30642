export type { BundleModule, BundleScript, BundleVersion, LayerFile, RenderedConfig, RenderOptions } from "./bundle.ts";
export { capnpComment, capnpData, capnpString, printConfig } from "./print.ts";
/** The typed model of workerd.capnp that printConfig prints. */
export type * as workerd from "./model.ts";
export { clampCompatDate, DEFAULT_COMPAT_DATE, WORKERD_MAX_COMPAT_DATE } from "./compat-date.ts";
export {
  checkVersion,
  DEFAULT_BASE_PORT,
  DEFAULT_ROUTER_PORT,
  HOST_SUFFIX_ENV,
  modulePath,
  renderConfig,
  ROUTER_SERVICE,
  ROUTER_SOCKET,
  socketName,
} from "./render.ts";
