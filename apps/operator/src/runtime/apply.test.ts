import { describe, expect, it } from "vitest";
import { applyIfChanged, applyStatusIfChanged, isSubset, type KubeWrites } from "./apply.ts";
import { createMetrics } from "./metrics.ts";

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

describe("writes against a cache that has not seen them yet", () => {
  const fakeKube = () => {
    let rv = 10;
    const calls: string[] = [];
    const kube: KubeWrites = {
      apply: async (kind, o) => {
        calls.push(`apply ${kind.kind}/${o.metadata?.name}`);
        return { ...o, metadata: { ...o.metadata, resourceVersion: String(++rv) } };
      },
      applyStatus: async (_kind, name) => {
        calls.push(`status ${name}`);
        return { metadata: { name, resourceVersion: String(++rv) } };
      },
      delete: async () => true,
    };
    return { kube, calls };
  };
  const metrics = createMetrics();
  const target = { kind: "WorkerRelease", plural: "workerreleases", name: "r" };

  it("does not repeat a status write while the cache still holds the version it was computed from", async () => {
    const { kube, calls } = fakeKube();
    const stale = { metadata: { resourceVersion: "5" }, status: { phase: "old" } };
    expect(await applyStatusIfChanged({ kube, metrics }, target, { phase: "new" }, stale)).toBe(true);
    expect(await applyStatusIfChanged({ kube, metrics }, target, { phase: "new" }, stale)).toBe(false);
    // The cache caught up with another version (ours or a later one): compared again, written if it differs.
    expect(await applyStatusIfChanged({ kube, metrics }, target, { phase: "newer" }, { metadata: { resourceVersion: "11" }, status: { phase: "new" } })).toBe(true);
    expect(calls).toEqual(["status r", "status r"]);
  });

  it("does not repeat an update either, but never holds back a create", async () => {
    const { kube, calls } = fakeKube();
    const desired = { apiVersion: "v1", kind: "Service", metadata: { name: "s" }, spec: { a: 2 } };
    const stale = { apiVersion: "v1", kind: "Service", metadata: { name: "s", resourceVersion: "3" }, spec: { a: 1 } };
    expect(await applyIfChanged({ kube, metrics }, desired, stale)).toBe(true);
    expect(await applyIfChanged({ kube, metrics }, desired, stale)).toBe(false);
    expect(await applyIfChanged({ kube, metrics }, desired, undefined)).toBe(true);
    expect(await applyIfChanged({ kube, metrics }, desired, undefined)).toBe(true);
    expect(calls).toEqual(["apply Service/s", "apply Service/s", "apply Service/s"]);
  });
});
