// Shared informers: one list+watch per resource type (@fireworkers/kube's ListWatch: resumes from the
// last resourceVersion, relists with backoff when a watch fails), indexed by account.
import { LABELS } from "@fireworkers/crd-types";
import { ListWatch, type Kind, type KubeObject, type ListWatchEvent } from "@fireworkers/kube";
import type { Logger } from "@fireworkers/observability";
import type { Kube } from "./kube.ts";

export type Handler = (object: KubeObject, event: ListWatchEvent) => void;

/** What the wiring needs of any informer, whatever its kind. */
export interface AnyInformer {
  on(handler: Handler): void;
  start(): Promise<void>;
  hasSynced(): Promise<void>;
  stop(): void;
}

/** T is the object's shape as the watch delivers it (plain JSON: timestamps are strings). */
export class Informer<T extends KubeObject = KubeObject> implements AnyInformer {
  private readonly listWatch: ListWatch<T>;
  private readonly handlers: Handler[] = [];
  /** Objects by their account label, then by name: a reconcile reads its account's share, not the whole cache. */
  private readonly byAccount = new Map<string, Map<string, T>>();
  private readonly accountOf = new Map<string, string>();
  private synced = false;
  private readonly syncWaiters: (() => void)[] = [];

  readonly kind: Kind<T>;

  constructor(kind: Kind<T>, kube: Kube, log: Logger, labelSelector?: string) {
    this.kind = kind;
    this.listWatch = new ListWatch(kube, kind, {
      labelSelector,
      onEvent: (event, object) => {
        this.index(object, event);
        this.handlers.forEach((h) => h(object, event));
      },
      onError: (err, retryInMs) => log.warn({ kind: kind.kind, err: String(err), retryInMs }, "watch failed; restarting"),
    });
  }

  on(handler: Handler): void {
    this.handlers.push(handler);
  }

  /** Lists (then watches); the cache is filled when this resolves. */
  async start(): Promise<void> {
    await this.listWatch.start();
    if (!this.synced) this.markSynced();
  }

  stop(): void {
    this.listWatch.stop();
  }

  hasSynced(): Promise<void> {
    return this.synced ? Promise.resolve() : new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  get(name: string): T | undefined {
    return this.listWatch.get(name);
  }

  list(): T[] {
    return this.listWatch.list();
  }

  /** The objects labelled with this account (LABELS.account). */
  ofAccount(account: string): T[] {
    return [...(this.byAccount.get(account)?.values() ?? [])];
  }

  private index(object: T, event: ListWatchEvent) {
    const name = object.metadata?.name ?? "";
    const before = this.accountOf.get(name);
    const after = event === "delete" ? undefined : object.metadata?.labels?.[LABELS.account];
    if (before !== undefined && before !== after) {
      this.byAccount.get(before)?.delete(name);
      if (this.byAccount.get(before)?.size === 0) this.byAccount.delete(before);
      this.accountOf.delete(name);
    }
    if (after !== undefined) {
      const bucket = this.byAccount.get(after) ?? new Map<string, T>();
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
