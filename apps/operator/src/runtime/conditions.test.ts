import { describe, expect, it } from "vitest";
import { setCondition } from "./conditions.ts";

const t0 = new Date("2026-01-01T00:00:00.123Z");
const t1 = new Date("2026-01-01T00:05:00Z");

describe("setCondition", () => {
  it("stamps a new condition with the time and generation", () => {
    expect(setCondition(undefined, { type: "Ready", status: "False", reason: "Building", message: "m" }, 3, t0)).toEqual([
      { type: "Ready", status: "False", reason: "Building", message: "m", observedGeneration: 3, lastTransitionTime: "2026-01-01T00:00:00Z" },
    ]);
  });

  it("keeps lastTransitionTime while the status stays, moves it when the status flips", () => {
    const first = setCondition(undefined, { type: "Ready", status: "False", reason: "Building", message: "a" }, 1, t0);
    const same = setCondition(first, { type: "Ready", status: "False", reason: "Building", message: "b" }, 2, t1);
    expect(same[0]!.lastTransitionTime).toBe("2026-01-01T00:00:00Z");
    expect(same[0]!.message).toBe("b");
    const flipped = setCondition(same, { type: "Ready", status: "True", reason: "Built", message: "" }, 2, t1);
    expect(flipped[0]!.lastTransitionTime).toBe("2026-01-01T00:05:00Z");
  });

  it("keeps other conditions, sorted by type", () => {
    const a = setCondition(undefined, { type: "Ready", status: "True", reason: "R", message: "" }, 1, t0);
    const b = setCondition(a, { type: "Failed", status: "False", reason: "F", message: "" }, 1, t0);
    expect(b.map((c) => c.type)).toEqual(["Failed", "Ready"]);
  });
});
