export { clusterConfig, clusterPaths, type ClusterConfig } from "./config.ts";
export { supervise, teardown, type ClusterInfo } from "./supervisor.ts";
export { imageFromDir, pushImage, hasManifest, type Image, type RunConfig } from "./image.ts";
