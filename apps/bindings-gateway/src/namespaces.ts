// Which account owns which KV namespace: the WorkerKVNamespace objects, watched (@fireworkers/kube's
// ListWatch: list, then watch; relisted on failure) so a request costs no apiserver call. A namespace
// created a moment ago that the watch has not delivered yet is looked up once directly.
import { KINDS, ListWatch, type KubeClient } from "@fireworkers/kube";
import type { WorkerKVNamespace } from "@fireworkers/crd-types";
import type { Logger } from "@fireworkers/observability";

export interface NamespaceDirectory {
  /** The owning account of a live namespace (not being deleted), or undefined. */
  owner(namespaceId: string): Promise<string | undefined>;
  /** Every live namespace (for the sweep). */
  all(): { namespaceId: string; accountId: string }[];
  synced(): boolean;
  stop(): void;
}

const live = (o: WorkerKVNamespace | undefined) => (o && !o.metadata.deletionTimestamp ? o : undefined);

export class KubeNamespaceDirectory implements NamespaceDirectory {
  private readonly kube: KubeClient;
  private readonly cache: ListWatch<WorkerKVNamespace>;
  private isSynced = false;

  constructor(kube: KubeClient, log: Logger) {
    this.kube = kube;
    this.cache = new ListWatch(kube, KINDS.WorkerKVNamespace, {
      onEvent: () => undefined,
      onError: (err, retryInMs) => log.warn({ err: String(err), retryInMs }, "watch of WorkerKVNamespaces failed; retrying"),
    });
  }

  async start(): Promise<void> {
    await this.cache.start();
    this.isSynced = true;
  }

  async owner(namespaceId: string): Promise<string | undefined> {
    const cached = live(this.cache.get(namespaceId));
    if (cached) return cached.spec.accountId;
    return live(await this.kube.get(KINDS.WorkerKVNamespace, namespaceId))?.spec.accountId;
  }

  all() {
    return this.cache
      .list()
      .filter((o) => live(o))
      .map((o) => ({ namespaceId: o.metadata.name, accountId: o.spec.accountId }));
  }

  synced() {
    return this.isSynced;
  }

  stop() {
    this.cache.stop();
  }
}
