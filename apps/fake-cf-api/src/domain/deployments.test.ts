import { describe, expect, it } from "vitest";
import type { WorkerDeployment, WorkerVersion } from "@fireworkers/crd-types";
import { changedSecretsSince, inForce, prunable, prunableVersions, triggeredBy, validateSplit } from "./deployments.ts";

const dep = (name: string, number: number | undefined, created: string, versions = [{ versionId: "v1", percentage: 100 }]): WorkerDeployment => ({
  apiVersion: "api.cf-worker/v1",
  kind: "WorkerDeployment",
  metadata: { name, creationTimestamp: created },
  spec: { accountId: "a", scriptName: "s", deploymentId: name, strategy: "percentage", number, versions },
});

describe("deployment in force", () => {
  it("is the highest number even when creation times tie to the second", () => {
    const ds = [dep("a", 1, "2026-01-01T00:00:00Z"), dep("c", 3, "2026-01-01T00:00:00Z"), dep("b", 2, "2026-01-01T00:00:00Z")];
    expect(inForce(ds)?.metadata.name).toBe("c");
  });

  it("prunes the oldest beyond the history size, never the one in force", () => {
    const ds = [1, 2, 3, 4, 5].map((n) => dep(`d${n}`, n, "2026-01-01T00:00:00Z"));
    expect(prunable(ds, 3).sort()).toEqual(["d1", "d2"]);
    expect(prunable(ds, 0)).not.toContain("d5");
  });
});

const ver = (number: number) =>
  ({ apiVersion: "api.cf-worker/v1", kind: "WorkerVersion", metadata: { name: `v${number}` }, spec: { versionId: `v${number}`, number } }) as WorkerVersion;

describe("version history", () => {
  const versions = [3, 1, 6, 2, 5, 4].map(ver);

  it("prunes the oldest beyond the newest `keep`", () => {
    expect(prunableVersions(versions, [], 4).sort()).toEqual(["v1", "v2"]);
    expect(prunableVersions(versions, [], 6)).toEqual([]);
  });

  it("never prunes a version a kept deployment references, even in a split", () => {
    const kept = [dep("d2", 2, "2026-01-01T00:00:00Z", [{ versionId: "v6", percentage: 100 }]), dep("d1", 1, "2026-01-01T00:00:00Z", [{ versionId: "v1", percentage: 50 }, { versionId: "v3", percentage: 50 }])];
    expect(prunableVersions(versions, kept, 2).sort()).toEqual(["v2", "v4"]);
  });

  it("keeps at least the newest version", () => {
    expect(prunableVersions(versions, [], 0)).not.toContain("v6");
  });
});

describe("validateSplit", () => {
  it("accepts one version at 100 or two summing to 100", () => {
    expect(validateSplit([{ version_id: "a", percentage: 100 }])).toEqual([{ versionId: "a", percentage: 100 }]);
    expect(validateSplit([{ version_id: "a", percentage: 10 }, { version_id: "b", percentage: 90 }])).toHaveLength(2);
  });

  it.each([
    [[{ version_id: "a", percentage: 60 }, { version_id: "b", percentage: 30 }], /sum to 100/],
    [[{ version_id: "a", percentage: 50 }, { version_id: "a", percentage: 50 }], /must differ/],
    [[], /one or two/],
  ])("refuses %j", (shares, reason) => {
    expect(() => validateSplit(shares)).toThrow(reason);
  });
});

describe("triggeredBy", () => {
  const numbers: Record<string, number> = { old: 1, mid: 2, new: 3 };
  const current = dep("d", 5, "2026-01-01T00:00:00Z", [{ versionId: "new", percentage: 100 }]);
  it("calls a single older version at 100% a rollback and anything else a deployment", () => {
    expect(triggeredBy([{ versionId: "old", percentage: 100 }], current, (id) => numbers[id]!)).toBe("rollback");
    expect(triggeredBy([{ versionId: "old", percentage: 10 }, { versionId: "new", percentage: 90 }], current, (id) => numbers[id]!)).toBe("deployment");
    expect(triggeredBy([{ versionId: "new", percentage: 100 }], undefined, (id) => numbers[id]!)).toBe("deployment");
  });
});

describe("changedSecretsSince", () => {
  it("lists secrets added, removed or updated after the version was made", () => {
    const t = Date.parse("2026-01-01T00:00:00Z");
    expect(changedSecretsSince(["A", "B", "GONE"], t, { A: t - 1, B: t + 1, NEW: t - 5 })).toEqual(["B", "GONE", "NEW"]);
    expect(changedSecretsSince(["A"], t, { A: t })).toEqual([]);
  });

  it("treats names like constructor as plain secret names, not inherited properties", () => {
    const t = Date.parse("2026-01-01T00:00:00Z");
    expect(changedSecretsSince(["constructor"], t, {})).toEqual(["constructor"]);
  });
});
