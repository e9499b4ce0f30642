export { loadKubeConfig, shareConnections } from "./shared-connections.ts";
