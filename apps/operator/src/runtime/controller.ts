import { Forbidden, KubeError, type KubeObject } from "@fireworkers/kube";
import type { Logger } from "@fireworkers/observability";
import { randomBytes } from "node:crypto";
import { abandonOnAbort } from "./abort.ts";
import type { Metrics } from "./metrics.ts";
import { WorkQueue } from "./work-queue.ts";

/** What a reconcile may ask for besides success: to be looked at again later (e.g. a deadline). */
export type ReconcileResult = void | { requeueAfterMs: number };

/**
 * Thrown by a reconcile for an input that can never succeed as it is (retrying cannot help): the key is
 * not requeued, a Warning Event with `reason` goes on the object, and the terminal-error metric counts
 * it. The object is looked at again only when an event enqueues it (it, or what it depends on, changed).
 */
export class TerminalError extends Error {
  readonly reason: string;
  constructor(reason: string, message: string) {
    super(message);
    this.name = "TerminalError";
    this.reason = reason;
  }
}

/** What one reconcile gets besides the name: its deadline and a logger that tags every line with its id. */
export interface ReconcileScope {
  /** Aborts when the reconcile's deadline passes (or the controller stops): pass it to every call. */
  signal: AbortSignal;
  /** A child logger: every line carries the controller kind, the object name and the reconcile id. */
  log: Logger;
  reconcileId: string;
}

export type Reconcile = (name: string, scope: ReconcileScope) => Promise<ReconcileResult>;

export interface ControllerOptions {
  /** A reconcile still running after this long is aborted and retried with backoff. */
  reconcileTimeoutMs: number;
  /** The object a name stands for (from the cache), for the Events of terminal errors. */
  get(name: string): KubeObject | undefined;
  event(involved: KubeObject, type: "Normal" | "Warning", reason: string, message: string): Promise<void>;
  /** Backoff of failed reconciles (defaults: 100 ms doubling up to 60 s). */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * One controller: a work queue of object names and a reconcile function. Level-triggered: a reconcile
 * reads the current state of the world from the caches, never the event that woke it.
 */
export class Controller {
  readonly kind: string;
  private readonly queue: WorkQueue;
  private readonly reconcile: Reconcile;
  private readonly log: Logger;
  private readonly metrics: Metrics;
  private readonly options: ControllerOptions;
  /** Aborted by stop(): every reconcile in flight gets it through its signal. */
  private readonly stopping = new AbortController();
  private workers: Promise<void>[] = [];
  private started = false;

  constructor(kind: string, reconcile: Reconcile, log: Logger, metrics: Metrics, options: ControllerOptions) {
    this.kind = kind;
    this.reconcile = reconcile;
    this.log = log.child({ controller: kind });
    this.metrics = metrics;
    this.options = options;
    this.queue = new WorkQueue({
      baseDelayMs: options.baseDelayMs ?? 100,
      maxDelayMs: options.maxDelayMs ?? 60_000,
      onDequeue: (_key, ms) => metrics.queueWait.observe({ kind }, ms / 1000),
      onChange: (depth, inFlight) => {
        metrics.queueDepth.set({ kind }, depth);
        metrics.inFlight.set({ kind }, inFlight);
      },
    });
    metrics.queueDepth.set({ kind }, 0);
    metrics.inFlight.set({ kind }, 0);
  }

  /** Ignored until start(): whoever starts a controller seeds it from the caches (a full, ordered look). */
  enqueue(name: string | undefined): void {
    if (!name || !this.started) return;
    this.queue.add(name);
  }

  start(concurrency: number): void {
    this.started = true;
    this.workers = Array.from({ length: concurrency }, () => this.work());
  }

  /** Stops taking keys and aborts the reconciles in flight; resolves when the workers are free. */
  async stop(): Promise<void> {
    this.queue.shutDown();
    this.stopping.abort(new Error("controller stopping"));
    await Promise.all(this.workers);
  }

  private async work(): Promise<void> {
    for (let name = await this.queue.get(); name !== undefined; name = await this.queue.get()) {
      await this.process(name);
    }
  }

  private async process(name: string): Promise<void> {
    const reconcileId = randomBytes(6).toString("hex");
    const log = this.log.child({ name, reconcileId });
    const deadline = new AbortController();
    const timer = setTimeout(
      () => deadline.abort(new ReconcileTimeoutError(`reconcile of ${this.kind} ${name} passed its deadline of ${this.options.reconcileTimeoutMs} ms`)),
      this.options.reconcileTimeoutMs,
    );
    const signal = AbortSignal.any([deadline.signal, this.stopping.signal]);
    const stopTimer = this.metrics.reconcileDuration.startTimer({ kind: this.kind });
    const running = Promise.resolve().then(() => this.reconcile(name, { signal, log, reconcileId }));
    // The worker moves on at the deadline even when a call ignores the signal; the key stays in flight
    // (never handed to a second worker) until the abandoned promise settles.
    let settled = false;
    try {
      const result = await abandonOnAbort(running, signal);
      settled = true;
      this.queue.forget(name);
      if (result?.requeueAfterMs) this.queue.addAfter(name, result.requeueAfterMs);
      this.metrics.reconciles.inc({ kind: this.kind, result: "success" });
    } catch (err) {
      settled = !signal.aborted;
      if (err instanceof TerminalError) {
        this.queue.forget(name);
        this.metrics.reconciles.inc({ kind: this.kind, result: "terminal" });
        this.metrics.terminalErrors.inc({ kind: this.kind, reason: err.reason });
        log.error({ reason: err.reason, err: err.message }, "reconcile failed for good: not retried until the object changes");
        const involved = this.options.get(name);
        if (involved) await this.options.event(involved, "Warning", err.reason, err.message).catch((e) => log.warn({ err: errorText(e) }, "could not record the event"));
      } else if (this.stopping.signal.aborted) {
        log.info("reconcile aborted: controller stopping");
      } else {
        const timedOut = deadline.signal.aborted;
        const retryInMs = this.queue.addRateLimited(name);
        this.metrics.reconciles.inc({ kind: this.kind, result: timedOut ? "timeout" : "error" });
        if (err instanceof KubeError) this.metrics.apiserverErrors.inc({ kind: this.kind, reason: err.reason });
        // A refusal stays until someone changes the operator's RBAC: an error, not a transient warning.
        if (err instanceof Forbidden) log.error({ err: errorText(err), retryInMs }, "reconcile refused by the apiserver (RBAC): the operator lacks a permission");
        else log.warn({ err: errorText(err), retryInMs }, timedOut ? "reconcile passed its deadline" : "reconcile failed");
      }
    } finally {
      clearTimeout(timer);
      stopTimer();
      if (settled) this.queue.done(name);
      else
        void running.then(
          () => this.queue.done(name),
          () => this.queue.done(name),
        );
    }
  }
}

class ReconcileTimeoutError extends Error {}

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
