// Shared informers: one list+watch per resource type, resumed from the last resourceVersion and
// relisted on 410 Gone (client-node's ListWatch), restarted with backoff when the watch errors.
import { ListWatch, Watch, type KubernetesObject } from "@kubernetes/client-node";
import { LABELS } from "@fireworkers/crd-types";
import type { Logger } from "@fireworkers/observability";
import type { Kube } from "./kube.ts";

export interface ResourceType {
  apiVersion: string;
  kind: string;
  /** URL path segment, e.g. workeraccounts, jobs */
  plural: string;
  labelSelector?: string;
}

export type Handler = (object: KubernetesObject, event: "add" | "update" | "delete") => void;

/** T is the object's shape as the watch delivers it (plain JSON: timestamps are strings). */
export class Informer<T = KubernetesObject> {
  private readonly listWatch: ListWatch<KubernetesObject>;
  private readonly handlers: Handler[] = [];
  /** Objects by their account label, then by name: a reconcile reads its account's share, not the whole cache. */
  private readonly byAccount = new Map<string, Map<string, KubernetesObject>>();
  private readonly accountOf = new Map<string, string>();
  private synced = false;
  private readonly syncWaiters: (() => void)[] = [];
  private restartDelayMs = 0;
  private stopped = false;
  private readonly namespace: string;
  private readonly log: Logger;

  readonly type: ResourceType;

  constructor(type: ResourceType, kube: Kube, log: Logger) {
    this.type = type;
    this.namespace = kube.namespace;
    this.log = log;
    const [group, version] = type.apiVersion.includes("/") ? type.apiVersion.split("/") : ["", type.apiVersion];
    const path = `${group ? `/apis/${group}` : "/api"}/${version}/namespaces/${kube.namespace}/${type.plural}`;
    const list = async () => {
      const { items, resourceVersion } = await kube.list(type.apiVersion, type.kind, type.labelSelector);
      return { metadata: { resourceVersion }, items };
    };
    this.listWatch = new ListWatch(path, new Watch(kube.config), list as never, false, type.labelSelector);
    for (const event of ["add", "update", "delete"] as const) {
      this.listWatch.on(event, (object: KubernetesObject) => {
        this.index(object, event);
        this.handlers.forEach((h) => h(object, event));
      });
    }
    this.listWatch.on("connect", () => {
      // The first connect happens after the initial list filled the cache.
      if (this.listWatch.latestResourceVersion() && !this.synced) this.markSynced();
    });
    this.listWatch.on("error", (err: unknown) => {
      if (this.stopped) return;
      this.restartDelayMs = Math.min(this.restartDelayMs ? this.restartDelayMs * 2 : 500, 30_000);
      this.log.warn({ kind: type.kind, err: String(err), retryInMs: this.restartDelayMs }, "watch failed; restarting");
      setTimeout(() => void this.start(), this.restartDelayMs).unref();
    });
  }

  on(handler: Handler): void {
    this.handlers.push(handler);
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.listWatch.start();
    if (this.listWatch.latestResourceVersion()) {
      this.restartDelayMs = 0;
      if (!this.synced) this.markSynced();
    }
  }

  stop(): void {
    this.stopped = true;
    void this.listWatch.stop();
  }

  hasSynced(): Promise<void> {
    return this.synced ? Promise.resolve() : new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  get(name: string): T | undefined {
    return this.listWatch.get(name, this.namespace) as T | undefined;
  }

  list(): T[] {
    return this.listWatch.list() as T[];
  }

  /** The objects labelled with this account (LABELS.account). */
  ofAccount(account: string): T[] {
    return [...(this.byAccount.get(account)?.values() ?? [])] as T[];
  }

  private index(object: KubernetesObject, event: "add" | "update" | "delete") {
    const name = object.metadata?.name ?? "";
    const before = this.accountOf.get(name);
    const after = event === "delete" ? undefined : object.metadata?.labels?.[LABELS.account];
    if (before !== undefined && before !== after) {
      this.byAccount.get(before)?.delete(name);
      if (this.byAccount.get(before)?.size === 0) this.byAccount.delete(before);
      this.accountOf.delete(name);
    }
    if (after !== undefined) {
      const bucket = this.byAccount.get(after) ?? new Map<string, KubernetesObject>();
      this.byAccount.set(after, bucket);
      bucket.set(name, object);
      this.accountOf.set(name, after);
    }
  }

  private markSynced() {
    this.synced = true;
    for (const resolve of this.syncWaiters.splice(0)) resolve();
  }
}
