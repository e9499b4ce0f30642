import { afterEach, describe, expect, it, vi } from "vitest";
import { WorkQueue } from "./work-queue.ts";

describe("WorkQueue", () => {
  it("deduplicates keys waiting in the queue", async () => {
    const q = new WorkQueue();
    q.add("a");
    q.add("b");
    q.add("a");
    expect(q.length).toBe(2);
    expect(await q.get()).toBe("a");
    expect(await q.get()).toBe("b");
  });

  it("never hands out a key in flight; a change meanwhile is processed once afterwards", async () => {
    const q = new WorkQueue();
    q.add("a");
    const key = await q.get();
    q.add("a");
    q.add("a");
    expect(q.length).toBe(0);
    q.done(key!);
    expect(q.length).toBe(1);
    expect(await q.get()).toBe("a");
    q.done("a");
    expect(q.length).toBe(0);
  });

  it("wakes a waiting worker when a key arrives", async () => {
    const q = new WorkQueue();
    const next = q.get();
    q.add("x");
    expect(await next).toBe("x");
  });

  it("backs off exponentially per key up to the cap, and forget resets it", () => {
    const q = new WorkQueue({ baseDelayMs: 10, maxDelayMs: 50 });
    expect([1, 2, 3, 4, 5].map(() => q.addRateLimited("k"))).toEqual([10, 20, 40, 50, 50]);
    q.forget("k");
    expect(q.addRateLimited("k")).toBe(10);
    q.shutDown();
  });

  it("requeues a rate-limited key after its delay", () => {
    vi.useFakeTimers();
    try {
      const q = new WorkQueue({ baseDelayMs: 20 });
      q.addRateLimited("k");
      vi.advanceTimersByTime(19);
      expect(q.length).toBe(0);
      vi.advanceTimersByTime(1);
      expect(q.length).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it("releases waiting workers on shutdown", async () => {
    const q = new WorkQueue();
    const next = q.get();
    q.shutDown();
    expect(await next).toBeUndefined();
  });

  it("reports how long each key waited before a worker took it", async () => {
    const waits: [string, number][] = [];
    const q = new WorkQueue({ onDequeue: (key, ms) => waits.push([key, ms]) });
    vi.useFakeTimers();
    q.add("a");
    vi.advanceTimersByTime(30);
    expect(await q.get()).toBe("a");
    const next = q.get();
    q.add("b"); // a worker was already waiting: no wait at all
    expect(await next).toBe("b");
    expect(waits[0]![0]).toBe("a");
    expect(waits[0]![1]).toBe(30);
    expect(waits[1]).toEqual(["b", 0]);
    vi.useRealTimers();
  });

  describe("delayed adds (fake timers)", () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it("keeps the sooner deadline: a backoff is not swallowed by an earlier, longer requeue", () => {
      vi.useFakeTimers();
      const q = new WorkQueue({ baseDelayMs: 100 });
      q.addAfter("k", 60_000); // e.g. a reconcile asked to look again in a minute
      expect(q.addRateLimited("k")).toBe(100); // then a failure asks for a retry in 100 ms
      vi.advanceTimersByTime(99);
      expect(q.length).toBe(0);
      vi.advanceTimersByTime(1);
      expect(q.length).toBe(1);
      q.shutDown();
    });

    it("keeps the earlier deadline when a later one is asked for, and queues the key once", async () => {
      vi.useFakeTimers();
      const q = new WorkQueue();
      q.addAfter("k", 100);
      q.addAfter("k", 5_000);
      vi.advanceTimersByTime(100);
      expect(q.length).toBe(1);
      expect(await q.get()).toBe("k");
      q.done("k");
      vi.advanceTimersByTime(10_000);
      expect(q.length).toBe(0); // the later request was folded into the earlier one
    });

    it("a delayed add of a key in flight runs it again after done, once", async () => {
      vi.useFakeTimers();
      const q = new WorkQueue();
      q.add("k");
      expect(await q.get()).toBe("k");
      q.addAfter("k", 50);
      vi.advanceTimersByTime(50);
      expect(q.length).toBe(0); // in flight: not handed to a second worker
      q.done("k");
      expect(q.length).toBe(1);
    });

    it("adding a key now clears nothing: it is queued at once and its pending delayed add still fires later", async () => {
      vi.useFakeTimers();
      const q = new WorkQueue();
      q.addAfter("k", 1_000);
      q.add("k");
      expect(await q.get()).toBe("k");
      q.done("k");
      vi.advanceTimersByTime(1_000);
      expect(q.length).toBe(1);
    });

    it("drops pending delayed adds on shutdown", () => {
      vi.useFakeTimers();
      const q = new WorkQueue();
      q.addAfter("k", 10);
      q.shutDown();
      vi.advanceTimersByTime(10);
      expect(q.length).toBe(0);
      expect(vi.getTimerCount()).toBe(0);
    });
  });
});
