export { clusterConfig, clusterPaths, type ClusterConfig } from "./config.ts";
export { supervise, teardown, type ClusterInfo } from "./supervisor/index.ts";
export { imageFromDir, pushImage, hasManifest, type Image, type RunConfig } from "./image.ts";
export { readPlatform, LOCAL_DIR, NAMESPACE, type Platform } from "./platform/platform.ts";
export { applyAccount, issueToken } from "./platform/account.ts";
