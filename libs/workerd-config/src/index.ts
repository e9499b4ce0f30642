export type { BundleModule, BundleScript, BundleVersion, LayerFile, RenderedConfig, RenderOptions } from "./bundle.ts";
export { capnpString } from "./capnp-text.ts";
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
