// Wires informers to controllers: each event enqueues the name of the object whose reconcile must look
// again (its own name, its controller owner's, or its account's), Owns()-style.
import { createdMs, LABELS, type WorkerVersion } from "@fireworkers/crd-types";
import { Conflict, KINDS, type KubeObject } from "@fireworkers/kube";
import type { Logger } from "@fireworkers/observability";
import { createS3Client, s3ConfigFromEnv } from "@fireworkers/storage";
import type { OperatorConfig } from "./config.ts";
import { MANAGED_BY } from "./desired/common.ts";
import { reconcileAccount } from "./reconcilers/account.ts";
import { reconcileBundle } from "./reconcilers/bundle.ts";
import type { Caches, ReconcileContext } from "./reconcilers/context.ts";
import { reconcileJobBuilder } from "./reconcilers/job-builder.ts";
import { reconcileRelease } from "./reconcilers/release.ts";
import { reconcileVersion } from "./reconcilers/version.ts";
import { reconcileKvNamespace } from "./reconcilers/kv-namespace.ts";
import { CREDENTIAL_SELECTOR, GATEWAY_KEY_SECRET, gatewayKeyOf, newGatewayKeySecret } from "./desired/bindings.ts";
import { Controller, type ReconcileResult } from "./runtime/controller.ts";
import { Informer, type AnyInformer } from "./runtime/informers.ts";
import type { Kube } from "./runtime/kube.ts";
import type { Metrics } from "./runtime/metrics.ts";

const managed = `${LABELS.managedBy}=${MANAGED_BY}`;

function createCaches(kube: Kube, log: Logger): Caches {
  return {
    accounts: new Informer(KINDS.WorkerAccount, kube, log),
    versions: new Informer(KINDS.WorkerVersion, kube, log),
    deployments: new Informer(KINDS.WorkerDeployment, kube, log),
    releases: new Informer(KINDS.WorkerRelease, kube, log),
    jobBuilders: new Informer(KINDS.JobBuilder, kube, log),
    bundles: new Informer(KINDS.WorkerBundle, kube, log),
    jobs: new Informer(KINDS.Job, kube, log, managed),
    workloads: new Informer(KINDS.Deployment, kube, log, managed),
    services: new Informer(KINDS.Service, kube, log, managed),
    ingresses: new Informer(KINDS.Ingress, kube, log, managed),
    // Only the scripts' secret Secrets (labelled by the API), never API tokens or anything else.
    secrets: new Informer(KINDS.Secret, kube, log, LABELS.script),
    kvNamespaces: new Informer(KINDS.WorkerKVNamespace, kube, log),
    // Only the accounts' bindings credentials (the operator writes them), never other Secrets.
    credentials: new Informer(KINDS.Secret, kube, log, CREDENTIAL_SELECTOR),
  };
}

export interface Operator {
  /** Lists and watches every resource; resolves once every cache is filled. */
  sync(): Promise<void>;
  /** Starts the controllers (only the leader does), once the bindings gateway key is known. */
  startControllers(): Promise<void>;
  stop(): Promise<void>;
  caches: Caches;
}

export function createOperator(config: OperatorConfig, kube: Kube, metrics: Metrics, log: Logger): Operator {
  const caches = createCaches(kube, log);
  const s3Config = s3ConfigFromEnv();
  const ctx: Omit<ReconcileContext, "signal"> = { config, kube, caches, metrics, log, s3: createS3Client(s3Config), bucket: s3Config.bucket, now: () => new Date(), bindings: {} };

  const controller = (kind: string, reconcile: (ctx: ReconcileContext, name: string) => Promise<ReconcileResult>, cache: { get(name: string): KubeObject | undefined }) =>
    new Controller(kind, (name, { signal, log }) => reconcile({ ...ctx, signal, log }, name), log, metrics, {
      reconcileTimeoutMs: config.reconcileTimeoutSeconds * 1000,
      get: (name) => cache.get(name),
      event: async (involved, type, reason, message) => void (await kube.event(involved, type, reason, message)),
    });
  const accounts = controller("WorkerAccount", reconcileAccount, caches.accounts);
  const versions = controller("WorkerVersion", reconcileVersion, caches.versions);
  const releases = controller("WorkerRelease", reconcileRelease, caches.releases);
  const jobBuilders = controller("JobBuilder", reconcileJobBuilder, caches.jobBuilders);
  const bundles = controller("WorkerBundle", reconcileBundle, caches.bundles);
  const kvNamespaces = controller("WorkerKVNamespace", reconcileKvNamespace, caches.kvNamespaces);
  const controllers = [accounts, versions, releases, jobBuilders, bundles, kvNamespaces];

  const name = (o: KubeObject) => o.metadata?.name;
  const account = (o: KubeObject) => o.metadata?.labels?.[LABELS.account];
  const owner = (kind: string) => (o: KubeObject) => o.metadata?.ownerReferences?.find((r) => r.controller && r.kind === kind)?.name;
  const bundlesOfAccount = (o: KubeObject) => caches.bundles.ofAccount(account(o) ?? "").map((b) => b.metadata.name);

  const route = (informer: AnyInformer, ...targets: [Controller, (o: KubeObject) => string | string[] | undefined][]) =>
    informer.on((o) => {
      for (const [c, key] of targets) [key(o)].flat().forEach((k) => c.enqueue(k));
    });

  route(caches.accounts, [accounts, name]);
  route(caches.versions, [versions, name], [accounts, account]);
  route(caches.deployments, [accounts, account]);
  route(caches.releases, [releases, name], [accounts, owner("WorkerAccount")]);
  route(caches.jobBuilders, [jobBuilders, name], [releases, owner("WorkerRelease")], [accounts, account]);
  route(caches.bundles, [bundles, name], [accounts, owner("WorkerAccount")], [releases, account]);
  route(caches.jobs, [jobBuilders, owner("JobBuilder")]);
  route(caches.workloads, [bundles, owner("WorkerBundle")]);
  route(caches.services, [bundles, owner("WorkerBundle")]);
  route(caches.ingresses, [bundles, owner("WorkerBundle")]);
  route(caches.secrets, [bundles, bundlesOfAccount]);
  route(caches.kvNamespaces, [kvNamespaces, name]);
  route(caches.credentials, [accounts, owner("WorkerAccount")]);

  const byAccountThenAge = (a: WorkerVersion, b: WorkerVersion) =>
    (a.spec.accountId ?? "").localeCompare(b.spec.accountId ?? "") || createdMs(a) - createdMs(b) || a.metadata.name.localeCompare(b.metadata.name);

  const informers: AnyInformer[] = Object.values(caches);
  return {
    caches,
    async sync() {
      await Promise.all(informers.map((i) => i.start()));
      await Promise.all(informers.map((i) => i.hasSynced()));
    },
    async startControllers() {
      // Every account's bindings credential derives from this key: read it, or make it on the first start.
      ctx.bindings.key = await ensureGatewayKey(kube);
      // Reconciles wait on the apiserver and S3, not on this process: many run at once. Version checks
      // (a cold start has one per upload) get the most.
      versions.start(config.workers.versions);
      for (const c of [accounts, releases, jobBuilders, bundles, kvNamespaces]) c.start(config.workers.others);
      // Level-triggered start: look at everything once, whatever happened while no one led. Versions
      // go account by account, oldest first: an account's release waits for all of its uploads to be
      // checked, so this lets the first accounts build while the others are still being checked.
      for (const o of caches.accounts.list()) accounts.enqueue(o.metadata.name);
      for (const o of [...caches.versions.list()].sort(byAccountThenAge)) versions.enqueue(o.metadata.name);
      for (const o of caches.releases.list()) releases.enqueue(o.metadata.name);
      for (const o of caches.jobBuilders.list()) jobBuilders.enqueue(o.metadata.name);
      for (const o of caches.bundles.list()) bundles.enqueue(o.metadata.name);
      for (const o of caches.kvNamespaces.list()) kvNamespaces.enqueue(o.metadata.name);
    },
    async stop() {
      await Promise.all(controllers.map((c) => c.stop()));
      for (const i of informers) i.stop();
      ctx.s3.destroy();
    },
  };
}

/** The bindings gateway key: the existing Secret's, or a new one (two replicas racing: the first create wins). */
async function ensureGatewayKey(kube: Kube): Promise<Buffer> {
  const existing = gatewayKeyOf(await kube.get(KINDS.Secret, GATEWAY_KEY_SECRET));
  if (existing) return existing;
  await kube.create(KINDS.Secret, newGatewayKeySecret()).catch((err: unknown) => {
    if (!(err instanceof Conflict)) throw err;
  });
  const key = gatewayKeyOf(await kube.get(KINDS.Secret, GATEWAY_KEY_SECRET));
  if (!key) throw new Error(`Secret ${GATEWAY_KEY_SECRET} has no "key"`);
  return key;
}
