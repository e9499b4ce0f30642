export { loadKubeConfig, shareConnections } from "./connection.ts";
export { DEFAULT_REQUEST_TIMEOUT_MS, KubeClient, type CallOptions, type KubeClientOptions, type LabelSelector, type ListOptions, type WatchEventType, type WatchOptions, type Watching } from "./client.ts";
export { Conflict, errorFromCause, errorFromStatus, Forbidden, Invalid, KubeError, NotFound, Unavailable, type KubeErrorReason } from "./errors.ts";
export * from "./kinds.ts";
export { ListWatch, type ListWatchEvent, type ListWatchOptions } from "./list-watch.ts";
export { KubeConfig } from "@kubernetes/client-node";
