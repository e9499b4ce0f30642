export { startEnvironment, type TestEnv, type TestEnvInfo } from "./environment.ts";
export { installCrds, kubectl, type KubeInfo } from "./kube.ts";
export { s3Client, type S3Info } from "./s3.ts";
export { ctr, type ContainerdInfo } from "./containerd.ts";
export { startRegistry, type RegistryInfo } from "./registry.ts";
export { freePort } from "./ports.ts";
export { startProcess, type RunningProcess } from "./process.ts";
export { REPO_ROOT, CACHE_DIR } from "./paths.ts";
export { startFlakyProxy, type FlakyProxy } from "./flaky-proxy.ts";
