// A cache of one kind kept current by list + watch (client-go's Reflector + store): lists, then
// watches from the list's resourceVersion; a watch the server ends is resumed from the last seen
// version, a failed one is retried with backoff by listing again (which also covers 410 Gone).
import type { KubeClient, LabelSelector } from "./client.ts";
import type { KubeError } from "./errors.ts";
import type { Kind, KubeObject } from "./kinds.ts";

export type ListWatchEvent = "add" | "update" | "delete";

export interface ListWatchOptions<T> {
  labelSelector?: LabelSelector;
  onEvent: (event: ListWatchEvent, object: T) => void;
  /** A watch or relist failed; the cache retries after `retryInMs`. */
  onError?: (err: unknown, retryInMs: number) => void;
  /** First retry delay; doubles up to 30 s. Default 500 ms. */
  initialBackoffMs?: number;
}

const MAX_BACKOFF_MS = 30_000;

export class ListWatch<T extends KubeObject> {
  private readonly cache = new Map<string, T>();
  private resourceVersion = "";
  private watching: { stop(): void } | undefined;
  private stopped = true;
  private backoffMs = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly client: KubeClient;
  private readonly kind: Kind<T>;
  private readonly options: ListWatchOptions<T>;

  constructor(client: KubeClient, kind: Kind<T>, options: ListWatchOptions<T>) {
    this.client = client;
    this.kind = kind;
    this.options = options;
  }

  /** Lists (the cache is filled when this resolves), then keeps watching. Rejects when the first list fails. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.relist();
    void this.watch();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.watching?.stop();
    this.watching = undefined;
  }

  get(name: string): T | undefined {
    return this.cache.get(name);
  }

  list(): T[] {
    return [...this.cache.values()];
  }

  latestResourceVersion(): string {
    return this.resourceVersion;
  }

  private async relist() {
    const { items, resourceVersion } = await this.client.list(this.kind, { labelSelector: this.options.labelSelector });
    const seen = new Set<string>();
    for (const item of items) {
      const name = item.metadata?.name ?? "";
      seen.add(name);
      this.upsert(name, item);
    }
    for (const [name, object] of this.cache) {
      if (seen.has(name)) continue;
      this.cache.delete(name);
      this.options.onEvent("delete", object);
    }
    this.resourceVersion = resourceVersion;
  }

  private upsert(name: string, object: T) {
    const before = this.cache.get(name);
    if (before && before.metadata?.resourceVersion === object.metadata?.resourceVersion) return;
    this.cache.set(name, object);
    this.options.onEvent(before ? "update" : "add", object);
  }

  private async watch(): Promise<void> {
    if (this.stopped) return;
    this.watching = await this.client.watch(
      this.kind,
      { resourceVersion: this.resourceVersion, labelSelector: this.options.labelSelector },
      (type, object) => {
        this.resourceVersion = object.metadata?.resourceVersion ?? this.resourceVersion;
        const name = object.metadata?.name ?? "";
        if (type === "BOOKMARK") return;
        if (type === "DELETED") {
          this.cache.delete(name);
          this.options.onEvent("delete", object);
        } else this.upsert(name, object);
        this.backoffMs = 0;
      },
      (err) => this.ended(err),
    );
    if (this.stopped) this.watching.stop();
  }

  private ended(err: KubeError | undefined) {
    this.watching = undefined;
    if (this.stopped) return;
    // A watch the server closed normally resumes where it was; a failure relists after a backoff.
    if (!err) return void this.watch();
    this.retry(err);
  }

  private retry(err: unknown) {
    this.backoffMs = Math.min(this.backoffMs ? this.backoffMs * 2 : (this.options.initialBackoffMs ?? 500), MAX_BACKOFF_MS);
    this.options.onError?.(err, this.backoffMs);
    this.retryTimer = setTimeout(() => {
      if (this.stopped) return;
      this.relist().then(
        () => this.watch(),
        (listErr: unknown) => this.retry(listErr),
      );
    }, this.backoffMs);
    this.retryTimer.unref();
  }
}
