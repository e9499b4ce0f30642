export { supervise } from "./supervise.ts";
export { cleanLeftovers, teardown } from "./teardown.ts";
export { FAILED_MARK, READY_MARK, STOPPED_MARK, type ClusterInfo } from "./info.ts";
