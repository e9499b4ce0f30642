import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { eventually } from "./eventually.ts";

describe("eventually", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("returns the first value that passes, retrying after throws, undefined and false", async () => {
    const answers: (() => unknown)[] = [
      () => {
        throw new Error("not there");
      },
      () => undefined,
      () => false,
      () => "ready",
    ];
    let calls = 0;
    const result = eventually("the answer", async () => answers[calls++]!(), { intervalMs: 100 });
    await vi.advanceTimersByTimeAsync(300);
    await expect(result).resolves.toBe("ready");
    expect(calls).toBe(4);
  });

  it("treats 0, empty string and null as answers", async () => {
    await expect(eventually("zero", () => 0)).resolves.toBe(0);
    await expect(eventually("empty", () => "")).resolves.toBe("");
    await expect(eventually("null", () => null)).resolves.toBeNull();
  });

  it("fails at the deadline with what it waited for and the last error", async () => {
    let calls = 0;
    const result = eventually(
      "the pod",
      () => {
        calls++;
        throw new Error(`phase Pending (${calls})`);
      },
      { timeoutMs: 1_000, intervalMs: 100 },
    );
    const assertion = expect(result).rejects.toThrow(/timed out after 1000 ms waiting for the pod \(last: phase Pending \(11\)\)/);
    await vi.advanceTimersByTimeAsync(1_000);
    await assertion;
  });

  it("names what the last attempt returned when nothing threw", async () => {
    const result = eventually("the flag", () => false, { timeoutMs: 500 });
    const assertion = expect(result).rejects.toThrow("(last: returned false)");
    await vi.advanceTimersByTimeAsync(500);
    await assertion;
  });
});
