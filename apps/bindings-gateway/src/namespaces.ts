// Which account owns which KV namespace: the WorkerKVNamespace objects, watched (list + watch, relisted
// on 410 Gone) so a request costs no apiserver call. A namespace created a moment ago that the watch
// has not delivered yet is looked up once directly.
import { CustomObjectsApi, KubeConfig, ListWatch, Watch, type KubernetesObject } from "@kubernetes/client-node";
import { API_VERSION, GROUP, VERSION, type WorkerKVNamespace } from "@fireworkers/crd-types";
import type { Logger } from "@fireworkers/observability";

const PLURAL = "workerkvnamespaces";

export interface NamespaceDirectory {
  /** The owning account of a live namespace (not being deleted), or undefined. */
  owner(namespaceId: string): Promise<string | undefined>;
  /** Every live namespace (for the sweep). */
  all(): { namespaceId: string; accountId: string }[];
  synced(): boolean;
  stop(): void;
}

export class KubeNamespaceDirectory implements NamespaceDirectory {
  private readonly owners = new Map<string, string>();
  private readonly listWatch: ListWatch<KubernetesObject>;
  private readonly path: string;
  private readonly api: CustomObjectsApi;
  private isSynced = false;
  private stopped = false;
  private retryMs = 0;

  private readonly namespace: string;
  private readonly log: Logger;

  constructor(config: KubeConfig, namespace: string, log: Logger) {
    this.namespace = namespace;
    this.log = log;
    this.path = `/apis/${API_VERSION}/namespaces/${namespace}/${PLURAL}`;
    this.api = config.makeApiClient(CustomObjectsApi);
    const list = () => this.api.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL }) as never;
    this.listWatch = new ListWatch(this.path, new Watch(config), list, false);
    for (const event of ["add", "update"] as const) this.listWatch.on(event, (o: KubernetesObject) => this.index(o as WorkerKVNamespace));
    this.listWatch.on("delete", (o: KubernetesObject) => this.owners.delete(o.metadata!.name!));
    this.listWatch.on("connect", () => {
      if (this.listWatch.latestResourceVersion()) this.isSynced = true;
    });
    this.listWatch.on("error", (err: unknown) => {
      if (this.stopped) return;
      this.retryMs = Math.min(this.retryMs ? this.retryMs * 2 : 500, 30_000);
      this.log.warn({ err: String(err), retryInMs: this.retryMs }, "watch of WorkerKVNamespaces failed; restarting");
      setTimeout(() => void this.start().catch(() => undefined), this.retryMs).unref();
    });
  }

  private index(o: WorkerKVNamespace): void {
    if (o.metadata.deletionTimestamp) this.owners.delete(o.metadata.name);
    else this.owners.set(o.metadata.name, o.spec.accountId);
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.listWatch.start();
    if (this.listWatch.latestResourceVersion()) {
      this.isSynced = true;
      this.retryMs = 0;
    }
  }

  async owner(namespaceId: string): Promise<string | undefined> {
    const known = this.owners.get(namespaceId);
    if (known) return known;
    let o: WorkerKVNamespace;
    try {
      o = (await this.api.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: this.namespace, plural: PLURAL, name: namespaceId })) as WorkerKVNamespace;
    } catch (err) {
      if ((err as { code?: number }).code === 404) return undefined;
      throw err;
    }
    return o.metadata.deletionTimestamp ? undefined : o.spec.accountId;
  }

  all() {
    return [...this.owners].map(([namespaceId, accountId]) => ({ namespaceId, accountId }));
  }

  synced() {
    return this.isSynced;
  }

  stop() {
    this.stopped = true;
    void this.listWatch.stop();
  }
}
