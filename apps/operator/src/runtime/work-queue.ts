// A controller work queue of keys, with client-go's semantics: a key is queued at most once (dedup),
// is processed by at most one worker at a time (a key added while in flight is processed again
// afterwards), and failures are retried with per-key exponential backoff up to a cap. Delayed adds
// keep, per key, the EARLIEST deadline asked for (client-go's delaying queue): a later request never
// postpones a sooner one, and a sooner one replaces a later one.

export interface WorkQueueOptions {
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Called as a worker takes a key, with how long the key waited in the queue. */
  onDequeue?: (key: string, waitedMs: number) => void;
  /** Called whenever the number of keys waiting or in flight may have changed (the gauges). */
  onChange?: (depth: number, inFlight: number) => void;
}

export class WorkQueue {
  private readonly queue: string[] = [];
  /** Keys waiting, with when they started waiting. */
  private readonly queued = new Map<string, number>();
  private readonly processing = new Set<string>();
  private readonly dirtyWhileProcessing = new Set<string>();
  private readonly failures = new Map<string, number>();
  /** Delayed adds: one timer per key, for the earliest deadline asked for. */
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly waiters: ((key: string | undefined) => void)[] = [];
  private shuttingDown = false;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly onDequeue: (key: string, waitedMs: number) => void;
  private readonly onChange: (depth: number, inFlight: number) => void;

  constructor(options: WorkQueueOptions = {}) {
    this.baseDelayMs = options.baseDelayMs ?? 50;
    this.maxDelayMs = options.maxDelayMs ?? 60_000;
    this.onDequeue = options.onDequeue ?? (() => {});
    this.onChange = options.onChange ?? (() => {});
  }

  /** Keys in flight (taken by a worker, not done yet). */
  get inFlight(): number {
    return this.processing.size;
  }

  private changed(): void {
    this.onChange(this.queue.length, this.processing.size);
  }

  /** Keys waiting to be processed (the queue-depth metric). */
  get length(): number {
    return this.queue.length;
  }

  add(key: string): void {
    if (this.shuttingDown) return;
    if (this.processing.has(key)) {
      this.dirtyWhileProcessing.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    const waiter = this.waiters.shift();
    if (waiter) {
      this.processing.add(key);
      this.onDequeue(key, 0);
      waiter(key);
    } else {
      this.queued.set(key, Date.now());
      this.queue.push(key);
    }
    this.changed();
  }

  /** Adds the key after the backoff its failure count earns; returns that delay. */
  addRateLimited(key: string): number {
    const failures = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, failures);
    const delay = Math.min(this.baseDelayMs * 2 ** (failures - 1), this.maxDelayMs);
    this.addAfter(key, delay);
    return delay;
  }

  /** Adds the key once delayMs passed; with a delayed add already pending for it, the sooner deadline wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) return this.add(key);
    const at = Date.now() + delayMs;
    const pending = this.timers.get(key);
    if (pending) {
      if (pending.at <= at) return;
      clearTimeout(pending.timer);
    }
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref();
    this.timers.set(key, { at, timer });
  }

  /** A success resets the key's backoff. */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** Resolves to the next key to process, marking it in flight; undefined once shut down. */
  get(): Promise<string | undefined> {
    const key = this.queue.shift();
    if (key !== undefined) {
      const since = this.queued.get(key)!;
      this.queued.delete(key);
      this.processing.add(key);
      this.onDequeue(key, Date.now() - since);
      this.changed();
      return Promise.resolve(key);
    }
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks the key processed; requeues it if it changed while in flight. */
  done(key: string): void {
    this.processing.delete(key);
    if (this.dirtyWhileProcessing.delete(key)) this.add(key);
    else this.changed();
  }

  shutDown(): void {
    this.shuttingDown = true;
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const waiter of this.waiters.splice(0)) waiter(undefined);
  }
}
