import type { KubeObject } from "@fireworkers/kube";
import { createLogger } from "@fireworkers/observability";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Controller, TerminalError, type Reconcile, type ReconcileScope } from "./controller.ts";
import { createMetrics } from "./metrics.ts";

/** A logger whose JSON lines land in `lines` (pino's last hook before writing; stdout gets nothing). */
function captureLog() {
  const lines: Record<string, unknown>[] = [];
  const streamWrite = (line: string) => {
    lines.push(JSON.parse(line));
    return "";
  };
  return { lines, log: createLogger("test", { level: "debug", hooks: { streamWrite } }) };
}

const metricValue = async (metrics: ReturnType<typeof createMetrics>, name: string, labels: Record<string, string>) => {
  const metric = (await metrics.registry.getSingleMetric(name)?.get())?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return metric?.value ?? 0;
};

describe("Controller", () => {
  let stopAll: (() => Promise<void>)[] = [];
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(async () => {
    await Promise.all(stopAll.map((s) => s()));
    stopAll = [];
    vi.useRealTimers();
  });

  const events: [string | undefined, string, string, string][] = [];
  function make(reconcile: Reconcile, options: { timeoutMs?: number; log?: ReturnType<typeof captureLog>["log"] } = {}) {
    const metrics = createMetrics();
    const c = new Controller("Thing", reconcile, options.log ?? createLogger("test", { level: "silent" }), metrics, {
      reconcileTimeoutMs: options.timeoutMs ?? 1_000,
      get: (name) => ({ apiVersion: "v1", kind: "Thing", metadata: { name } }) satisfies KubeObject,
      event: async (o, type, reason, message) => void events.push([o.metadata?.name, type, reason, message]),
      baseDelayMs: 100,
    });
    c.start(1);
    stopAll.push(() => c.stop());
    return { c, metrics };
  }

  it("aborts a reconcile at its deadline, frees the worker, and retries the key once the hung call settles", async () => {
    const seen: { name: string; signal: AbortSignal }[] = [];
    let release!: () => void;
    const hung = new Promise<void>((resolve) => (release = resolve));
    const { c, metrics } = make(async (name, { signal }) => {
      seen.push({ name, signal });
      if (name === "stuck" && seen.filter((s) => s.name === "stuck").length === 1) await hung; // ignores its signal
    });
    c.enqueue("stuck");
    await vi.advanceTimersByTimeAsync(0);
    c.enqueue("other");
    await vi.advanceTimersByTimeAsync(999);
    expect(seen.map((s) => s.name)).toEqual(["stuck"]); // the only worker is busy
    await vi.advanceTimersByTimeAsync(1);
    expect(seen[0]!.signal.aborted).toBe(true);
    expect(seen.map((s) => s.name)).toEqual(["stuck", "other"]); // the worker moved on at the deadline
    expect(await metricValue(metrics, "fireworkers_reconcile_total", { kind: "Thing", result: "timeout" })).toBe(1);
    // The backoff passes, but the abandoned reconcile is still running: no second reconcile of the same key.
    await vi.advanceTimersByTimeAsync(5_000);
    expect(seen.filter((s) => s.name === "stuck")).toHaveLength(1);
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(seen.filter((s) => s.name === "stuck")).toHaveLength(2);
  });

  it("tags every log line of a reconcile with the same reconcile id, its own controller's lines included", async () => {
    const { lines, log } = captureLog();
    const ids: string[] = [];
    let calls = 0;
    const { c } = make(
      async (_name, scope: ReconcileScope) => {
        ids.push(scope.reconcileId);
        scope.log.info("looking");
        if (++calls === 1) throw new Error("boom");
      },
      { log },
    );
    c.enqueue("a");
    await vi.advanceTimersByTimeAsync(100); // the failure's backoff, then the second reconcile
    expect(ids).toHaveLength(2);
    expect(ids[0]).not.toBe(ids[1]);
    const byReconcile = lines.filter((l) => l.reconcileId !== undefined);
    expect(byReconcile.map((l) => [l.msg, l.reconcileId, l.name, l.controller])).toEqual([
      ["looking", ids[0], "a", "Thing"],
      ["reconcile failed", ids[0], "a", "Thing"],
      ["looking", ids[1], "a", "Thing"],
    ]);
  });

  it("does not requeue a TerminalError: records a Warning Event and the metric; the object's next change runs it again", async () => {
    let calls = 0;
    const { c, metrics } = make(async () => {
      calls++;
      throw new TerminalError("InvalidSpec", "spec.storage.prefix is not this version's");
    });
    c.enqueue("bad");
    await vi.advanceTimersByTimeAsync(120_000);
    expect(calls).toBe(1);
    expect(events).toContainEqual(["bad", "Warning", "InvalidSpec", "spec.storage.prefix is not this version's"]);
    expect(await metricValue(metrics, "fireworkers_reconcile_terminal_errors_total", { kind: "Thing", reason: "InvalidSpec" })).toBe(1);
    expect(await metricValue(metrics, "fireworkers_reconcile_total", { kind: "Thing", result: "terminal" })).toBe(1);
    c.enqueue("bad"); // what an informer event for the changed object does
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toBe(2);
  });

  it("reports keys waiting and in flight, back to zero once idle", async () => {
    let finish!: () => void;
    const { c, metrics } = make(() => new Promise<void>((resolve) => (finish = resolve)));
    c.enqueue("a");
    c.enqueue("b");
    await vi.advanceTimersByTimeAsync(0);
    expect(await metricValue(metrics, "fireworkers_workqueue_in_flight", { kind: "Thing" })).toBe(1);
    expect(await metricValue(metrics, "fireworkers_workqueue_depth", { kind: "Thing" })).toBe(1);
    finish();
    await vi.advanceTimersByTimeAsync(0);
    finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(await metricValue(metrics, "fireworkers_workqueue_in_flight", { kind: "Thing" })).toBe(0);
    expect(await metricValue(metrics, "fireworkers_workqueue_depth", { kind: "Thing" })).toBe(0);
  });

  it("aborts the reconciles in flight when it stops", async () => {
    let signal: AbortSignal | undefined;
    const { c } = make((_name, scope) => {
      signal = scope.signal;
      return new Promise(() => {});
    });
    c.enqueue("a");
    await vi.advanceTimersByTimeAsync(0);
    await c.stop();
    expect(signal?.aborted).toBe(true);
  });
});
