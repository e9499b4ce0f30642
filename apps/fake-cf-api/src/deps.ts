import type { S3Client } from "@aws-sdk/client-s3";
import type { FastifyBaseLogger } from "fastify";
import type { ApiConfig } from "./config.ts";
import type { ApiMetrics } from "./http/metrics.ts";
import type { KvStore } from "@fireworkers/kv-store";
import type { Kube } from "./store/kube.ts";
import type { KvNamespaces } from "./store/kv-namespaces.ts";
import type { S3Objects } from "./store/s3-objects.ts";
import type { Scripts } from "./store/scripts.ts";
import type { Secrets } from "./store/secrets.ts";
import type { Tokens } from "./store/tokens.ts";

/** What request handlers work with: configuration, the Kubernetes and S3 stores, metrics. */
export interface Deps {
  config: ApiConfig;
  kube: Kube;
  s3Client: S3Client;
  s3: S3Objects;
  scripts: Scripts;
  secrets: Secrets;
  tokens: Tokens;
  kvNamespaces: KvNamespaces;
  /** KV values in S3 (libs/kv-store: the bindings gateway's code). */
  kv: KvStore;
  metrics: ApiMetrics;
  log: FastifyBaseLogger;
}
