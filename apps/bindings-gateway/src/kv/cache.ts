// The gateway's read cache for KV values (per replica). An entry answers a read while it is younger
// than that read's cacheTtl and the value has not expired; this replica's own writes drop it at once.
// Other replicas' writes (and the API's) become visible here when the entry ages past the reader's
// cacheTtl: Cloudflare's own consistency model (a write is visible everywhere within the cache TTL).
// A read that raced a write of the same key is not cached (write epochs), so an invalidation is never
// undone by a slower S3 read that started before it.
import { LRUCache } from "lru-cache";

export interface CachedValue {
  /** null: the key was absent (absence is cached too, as on Cloudflare). */
  value: Buffer | null;
  expiration?: number;
  metadata?: string;
  fetchedAt: number;
}

export class ValueCache {
  private readonly entries: LRUCache<string, CachedValue>;
  private readonly writes: LRUCache<string, number>;
  private epoch = 0;
  readonly maxValueBytes: number;
  private readonly now: () => number;

  constructor(maxBytes: number, maxValueBytes: number, now: () => number = Date.now) {
    this.maxValueBytes = maxValueBytes;
    this.now = now;
    this.entries = new LRUCache<string, CachedValue>({
      maxSize: Math.max(maxBytes, 1),
      sizeCalculation: (v, k) => (v.value?.length ?? 0) + (v.metadata?.length ?? 0) + k.length + 64,
    });
    this.writes = new LRUCache<string, number>({ max: 100_000 });
  }

  static key(namespaceId: string, key: string): string {
    return `${namespaceId}\u0000${key}`;
  }

  get enabled(): boolean {
    return this.entries.maxSize > 1;
  }

  /** A fresh entry for a read with this cacheTtl (seconds), or undefined. */
  get(cacheKey: string, cacheTtlSeconds: number): CachedValue | undefined {
    const entry = this.entries.get(cacheKey);
    if (!entry) return undefined;
    const now = this.now();
    if (now - entry.fetchedAt >= cacheTtlSeconds * 1000 || (entry.expiration !== undefined && entry.expiration * 1000 <= now)) return undefined;
    return entry;
  }

  /** Call before reading S3; pass the result to set(). */
  begin(): number {
    return this.epoch;
  }

  set(cacheKey: string, startedAt: number, entry: Omit<CachedValue, "fetchedAt">, fetchedAt = this.now()): void {
    if (!this.enabled) return;
    if ((this.writes.get(cacheKey) ?? -1) > startedAt) return;
    if (entry.value && entry.value.length > this.maxValueBytes) return;
    this.entries.set(cacheKey, { ...entry, fetchedAt });
  }

  /** This replica wrote (or deleted) the key. */
  invalidate(cacheKey: string): void {
    this.writes.set(cacheKey, ++this.epoch);
    this.entries.delete(cacheKey);
  }
}
