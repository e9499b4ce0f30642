import { describe, expect, it } from "vitest";
import { isSubset } from "./apply.ts";

describe("isSubset", () => {
  it("accepts defaults the apiserver added", () => {
    expect(isSubset({ spec: { replicas: 2 } }, { spec: { replicas: 2, revisionHistoryLimit: 10 }, status: {} })).toBe(true);
  });
  it("notices a changed or missing value, and a list of another length", () => {
    expect(isSubset({ spec: { replicas: 2 } }, { spec: { replicas: 3 } })).toBe(false);
    expect(isSubset({ spec: { image: "a" } }, { spec: {} })).toBe(false);
    expect(isSubset({ l: [1, 2] }, { l: [1, 2, 3] })).toBe(false);
    expect(isSubset({ l: [{ a: 1 }] }, { l: [{ a: 1, b: 2 }] })).toBe(true);
  });
});
