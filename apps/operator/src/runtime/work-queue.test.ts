import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
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

  it("requeues a rate-limited key after its delay", async () => {
    const q = new WorkQueue({ baseDelayMs: 20 });
    q.addRateLimited("k");
    expect(q.length).toBe(0);
    await sleep(60);
    expect(q.length).toBe(1);
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
    q.add("a");
    await sleep(30);
    expect(await q.get()).toBe("a");
    const next = q.get();
    q.add("b"); // a worker was already waiting: no wait at all
    expect(await next).toBe("b");
    expect(waits[0]![0]).toBe("a");
    expect(waits[0]![1]).toBeGreaterThanOrEqual(20);
    expect(waits[1]).toEqual(["b", 0]);
  });
});
