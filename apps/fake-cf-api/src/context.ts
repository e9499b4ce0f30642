// What actions work with: configuration, the stores, metrics and a logger. Plain objects: actions never
// see Fastify (plugins/services.ts decorates the app with these, and each request gets `req.ctx`).
import type { S3Client } from "@aws-sdk/client-s3";
import { KvStore } from "@fireworkers/kv-store";
import type { ApiConfig } from "./config.ts";
import type { ApiMetrics } from "./http/metrics.ts";
import type { Logger } from "./log.ts";
import { AccountStore } from "./store/accounts.ts";
import { Counters } from "./store/counters.ts";
import { DeploymentStore } from "./store/deployments.ts";
import type { Kube } from "./store/kube.ts";
import { KvNamespaces } from "./store/kv-namespaces.ts";
import { S3Objects } from "./store/s3-objects.ts";
import { ScriptStore } from "./store/scripts.ts";
import { Secrets } from "./store/secrets.ts";
import { Tokens } from "./store/tokens.ts";
import { VersionStore } from "./store/versions.ts";

export interface Stores {
  kube: Kube;
  s3: S3Objects;
  accounts: AccountStore;
  scripts: ScriptStore;
  counters: Counters;
  versions: VersionStore;
  deployments: DeploymentStore;
  secrets: Secrets;
  tokens: Tokens;
  kvNamespaces: KvNamespaces;
  /** KV values in S3: libs/kv-store, the bindings gateway's own code. */
  kv: KvStore;
}

export interface Context {
  config: ApiConfig;
  stores: Stores;
  metrics: ApiMetrics;
  log: Logger;
}

export function createStores(kube: Kube, s3Client: S3Client, bucket: string): Stores {
  const scripts = new ScriptStore(kube);
  return {
    kube,
    s3: new S3Objects(s3Client, bucket),
    accounts: new AccountStore(kube),
    scripts,
    counters: new Counters(kube, scripts),
    versions: new VersionStore(kube),
    deployments: new DeploymentStore(kube),
    secrets: new Secrets(kube),
    tokens: new Tokens(kube),
    kvNamespaces: new KvNamespaces(kube),
    kv: new KvStore(s3Client, bucket),
  };
}
