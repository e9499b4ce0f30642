import { Forbidden, KubeError } from "@fireworkers/kube";
import type { Logger } from "@fireworkers/observability";
import type { Metrics } from "./metrics.ts";
import { WorkQueue } from "./work-queue.ts";

/** What a reconcile may ask for besides success: to be looked at again later (e.g. a deadline). */
export type ReconcileResult = void | { requeueAfterMs: number };

/**
 * One controller: a work queue of object names and a reconcile function. Level-triggered: a reconcile
 * reads the current state of the world from the caches, never the event that woke it.
 */
export class Controller {
  readonly kind: string;
  private readonly queue: WorkQueue;
  private readonly reconcile: (name: string) => Promise<ReconcileResult>;
  private readonly log: Logger;
  private readonly metrics: Metrics;
  private workers: Promise<void>[] = [];
  private started = false;

  constructor(kind: string, reconcile: (name: string) => Promise<ReconcileResult>, log: Logger, metrics: Metrics) {
    this.kind = kind;
    this.reconcile = reconcile;
    this.log = log.child({ controller: kind });
    this.metrics = metrics;
    this.queue = new WorkQueue({ baseDelayMs: 100, maxDelayMs: 60_000, onDequeue: (_key, ms) => metrics.queueWait.observe({ kind }, ms / 1000) });
  }

  /** Ignored until start(): whoever starts a controller seeds it from the caches (a full, ordered look). */
  enqueue(name: string | undefined): void {
    if (!name || !this.started) return;
    this.queue.add(name);
    this.metrics.queueDepth.set({ kind: this.kind }, this.queue.length);
  }

  start(concurrency: number): void {
    this.started = true;
    this.workers = Array.from({ length: concurrency }, () => this.work());
  }

  async stop(): Promise<void> {
    this.queue.shutDown();
    await Promise.all(this.workers);
  }

  private async work(): Promise<void> {
    for (let name = await this.queue.get(); name !== undefined; name = await this.queue.get()) {
      this.metrics.queueDepth.set({ kind: this.kind }, this.queue.length);
      const timer = this.metrics.reconcileDuration.startTimer({ kind: this.kind });
      try {
        const result = await this.reconcile(name);
        this.queue.forget(name);
        if (result?.requeueAfterMs) this.queue.addAfter(name, result.requeueAfterMs);
        this.metrics.reconciles.inc({ kind: this.kind, result: "success" });
      } catch (err) {
        const retryInMs = this.queue.addRateLimited(name);
        this.metrics.reconciles.inc({ kind: this.kind, result: "error" });
        if (err instanceof KubeError) this.metrics.apiserverErrors.inc({ kind: this.kind, reason: err.reason });
        // A refusal stays until someone changes the operator's RBAC: an error, not a transient warning.
        if (err instanceof Forbidden) this.log.error({ name, err: errorText(err), retryInMs }, "reconcile refused by the apiserver (RBAC): the operator lacks a permission");
        else this.log.warn({ name, err: errorText(err), retryInMs }, "reconcile failed");
      } finally {
        timer();
        this.queue.done(name);
      }
    }
  }
}

/** The message of an error, including the apiserver's Status message when there is one. */
export function errorText(err: unknown): string {
  const e = err as { body?: unknown; message?: string };
  if (typeof e?.body === "string") {
    try {
      return JSON.parse(e.body).message ?? e.body;
    } catch {
      return e.body;
    }
  }
  return (e?.body as { message?: string } | undefined)?.message ?? e?.message ?? String(err);
}
