/** Operator settings from the environment; the README lists each with its default. */
export interface OperatorConfig {
  namespace: string;
  /** Bundle images go to <imageRepositoryPrefix>/<account id>. */
  imageRepositoryPrefix: string;
  /** Image of the build Job (apps/job-builder). */
  jobBuilderImage: string;
  /** The runtime base image, by digest, passed to the job-builder. */
  baseImage: string;
  /** ConfigMap + Secret with S3_* settings, mounted into build Jobs as env. */
  s3ConfigMap: string;
  s3Secret: string;
  /** kubernetes.io/dockerconfigjson Secret with push credentials for the build Jobs. */
  registrySecret: string;
  jobServiceAccount: string;
  /** Registries (host:port, comma-separated) the build Job reaches over plain HTTP, e.g. a local one. */
  registryPlainHttp: string;
  buildBackoffLimit: number;
  buildTtlSeconds: number;
  buildDeadlineSeconds: number;
  /** Hosts are <script>.<subdomain>.<baseDomain>. */
  baseDomain: string;
  ingressClassName: string;
  /** The port of the bundle's router socket (Host/path dispatch). */
  routerPort: number;
  /** Per-script sockets are firstWorkerPort + workerNumber. */
  firstWorkerPort: number;
  defaultReplicas: number;
  /** host:port of the bindings gateway, rendered into the config of bundles with KV bindings. */
  bindingsGateway: string;
  /** Finished JobBuilders kept per account besides the ones in use. */
  keepBuilds: number;
  /** Reconciles in flight per controller; version checks (S3 + one status write each) get their own. */
  workers: { versions: number; others: number };
  /** A reconcile still running after this long is aborted (its signal fires) and retried with backoff. */
  reconcileTimeoutSeconds: number;
  leaderElection: { enabled: boolean; leaseName: string; identity: string; leaseDurationSeconds: number; renewDeadlineSeconds: number; retryPeriodSeconds: number };
  health: { host: string; port: number };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): OperatorConfig {
  const num = (name: string, fallback: number) => {
    const value = Number(env[name] ?? fallback);
    if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number`);
    return value;
  };
  return {
    namespace: env.NAMESPACE ?? "fireworkers",
    imageRepositoryPrefix: env.IMAGE_REPOSITORY_PREFIX ?? "127.0.0.1:5000/fireworkers/bundles",
    jobBuilderImage: env.JOB_BUILDER_IMAGE ?? "127.0.0.1:5000/fireworkers/job-builder:latest",
    baseImage: env.BASE_IMAGE ?? "",
    s3ConfigMap: env.BUILD_S3_CONFIGMAP ?? "fireworkers-s3",
    s3Secret: env.BUILD_S3_SECRET ?? "fireworkers-s3",
    registrySecret: env.BUILD_REGISTRY_SECRET ?? "fireworkers-registry",
    jobServiceAccount: env.BUILD_SERVICE_ACCOUNT ?? "fireworkers-job-builder",
    registryPlainHttp: env.BUILD_REGISTRY_PLAIN_HTTP ?? "",
    buildBackoffLimit: num("BUILD_BACKOFF_LIMIT", 2),
    buildTtlSeconds: num("BUILD_TTL_SECONDS", 3600),
    buildDeadlineSeconds: num("BUILD_DEADLINE_SECONDS", 600),
    baseDomain: env.BASE_DOMAIN ?? "workers.local",
    ingressClassName: env.INGRESS_CLASS ?? "nginx",
    routerPort: num("ROUTER_PORT", 8000),
    firstWorkerPort: num("FIRST_WORKER_PORT", 8080),
    defaultReplicas: num("DEFAULT_REPLICAS", 2),
    bindingsGateway: env.BINDINGS_GATEWAY_ADDRESS || `bindings-gateway.${env.NAMESPACE ?? "fireworkers"}.svc.cluster.local:80`,
    keepBuilds: num("KEEP_BUILDS", 3),
    workers: { versions: Math.max(1, num("VERSION_CHECK_WORKERS", 32)), others: Math.max(1, num("RECONCILE_WORKERS", 8)) },
    reconcileTimeoutSeconds: num("RECONCILE_TIMEOUT_SECONDS", 60),
    leaderElection: {
      enabled: (env.LEADER_ELECTION ?? "true") !== "false",
      leaseName: env.LEASE_NAME ?? "fireworkers-operator",
      identity: env.POD_NAME ?? env.HOSTNAME ?? `operator-${process.pid}`,
      leaseDurationSeconds: num("LEASE_DURATION_SECONDS", 15),
      renewDeadlineSeconds: num("LEASE_RENEW_DEADLINE_SECONDS", 10),
      retryPeriodSeconds: num("LEASE_RETRY_PERIOD_SECONDS", 2),
    },
    health: { host: env.HEALTH_HOST ?? "0.0.0.0", port: num("HEALTH_PORT", 8081) },
  };
}
