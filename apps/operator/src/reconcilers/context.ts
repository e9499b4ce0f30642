import type { S3Client } from "@aws-sdk/client-s3";
import type { JobBuilder, WorkerAccount, WorkerBundle, WorkerDeployment, WorkerKVNamespace, WorkerRelease, WorkerVersion } from "@fireworkers/crd-types";
import type { Deployment, Ingress, Job, Secret, Service } from "@fireworkers/kube";
import type { Logger } from "@fireworkers/observability";
import type { OperatorConfig } from "../config.ts";
import type { Informer } from "../runtime/informers.ts";
import type { Kube } from "../runtime/kube.ts";
import type { Metrics } from "../runtime/metrics.ts";

export interface Caches {
  accounts: Informer<WorkerAccount>;
  versions: Informer<WorkerVersion>;
  deployments: Informer<WorkerDeployment>;
  releases: Informer<WorkerRelease>;
  jobBuilders: Informer<JobBuilder>;
  bundles: Informer<WorkerBundle>;
  jobs: Informer<Job>;
  workloads: Informer<Deployment>;
  services: Informer<Service>;
  ingresses: Informer<Ingress>;
  secrets: Informer<Secret>;
  kvNamespaces: Informer<WorkerKVNamespace>;
  /** The accounts' bindings credential Secrets (desired/bindings.ts), and nothing else. */
  credentials: Informer<Secret>;
}

export interface ReconcileContext {
  config: OperatorConfig;
  kube: Kube;
  caches: Caches;
  metrics: Metrics;
  /** Tagged with the controller, the object and this reconcile's id. */
  log: Logger;
  s3: S3Client;
  /** The bucket the platform's objects live in; the only one the operator deletes from. */
  bucket: string;
  now: () => Date;
  /** The bindings gateway key, read (or created) once this replica leads; credentials derive from it. */
  bindings: { key?: Buffer };
  /** This reconcile's deadline (and the controller's stop): pass it to every S3 and apiserver call. */
  signal: AbortSignal;
}
