import { createLogger } from "@fireworkers/observability";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { startLeaderElection, validateTimings, type LeaderElection, type LeaseLock, type LeaseRecord } from "./leader-election.ts";

// The timing logic runs on fake timers, so the Lease lives in memory here: an in-memory record with the
// apiserver's optimistic concurrency (update fails when the version moved). The real Lease on a real
// apiserver is exercised by lifecycle.int.test.ts.
class MemoryLease implements LeaseLock {
  record: LeaseRecord | undefined;
  version = 0;
  /** While set, every call waits forever (a hung connection), whatever its signal says. */
  hang = false;
  /** While set, every call fails at once (the apiserver answers 5xx). */
  fail = false;

  private async gate(): Promise<void> {
    if (this.hang) await new Promise(() => {});
    if (this.fail) throw new Error("503 Service Unavailable");
  }
  async get() {
    await this.gate();
    return this.record ? { record: { ...this.record }, version: String(this.version) } : undefined;
  }
  async create(record: LeaseRecord) {
    await this.gate();
    if (this.record) throw Object.assign(new Error("AlreadyExists"), { code: 409 });
    this.record = { ...record };
    this.version++;
  }
  async update(record: LeaseRecord, version: string) {
    await this.gate();
    if (String(this.version) !== version) throw Object.assign(new Error("Conflict"), { code: 409 });
    this.record = { ...record };
    this.version++;
  }
  /** Another replica's write, with its own (possibly skewed) clock. */
  writeAs(holder: string, renewTime: Date) {
    this.record = { holderIdentity: holder, leaseDurationSeconds: 15, acquireTime: renewTime.toISOString(), renewTime: renewTime.toISOString(), leaseTransitions: 0 };
    this.version++;
  }
}

const log = createLogger("test", { level: "silent" });
const timings = { leaseName: "lease", leaseDurationSeconds: 15, renewDeadlineSeconds: 10, retryPeriodSeconds: 2 };

function watch(election: LeaderElection) {
  const state = { acquired: false, lost: false };
  void election.acquired.then(() => (state.acquired = true));
  void election.lost.then(() => (state.lost = true));
  return state;
}

describe("leader election", () => {
  const elections: LeaderElection[] = [];
  const start = (lock: LeaseLock, identity: string) => {
    const e = startLeaderElection(lock, { ...timings, identity }, log);
    elections.push(e);
    return e;
  };
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date("2026-01-01T12:00:00Z") });
  });
  afterEach(async () => {
    // Not awaited: a release against a hung Lease ends at its deadline, on the fake clock.
    for (const e of elections.splice(0)) void e.release();
    await vi.runOnlyPendingTimersAsync();
    vi.useRealTimers();
  });

  it("takes a free Lease at once and keeps it while it renews", async () => {
    const lock = new MemoryLease();
    const me = watch(start(lock, "me"));
    await vi.advanceTimersByTimeAsync(0);
    expect(me.acquired).toBe(true);
    expect(lock.record?.holderIdentity).toBe("me");
    await vi.advanceTimersByTimeAsync(60_000);
    expect(me.lost).toBe(false);
    expect(lock.record?.holderIdentity).toBe("me");
  });

  it("judges expiry on its own clock: a holder whose clock runs an hour behind is not taken over while it renews", async () => {
    const lock = new MemoryLease();
    const skew = 3_600_000;
    // The other replica renews every 2 s, stamping times from a clock one hour behind ours.
    lock.writeAs("other", new Date(Date.now() - skew));
    const renewer = setInterval(() => lock.writeAs("other", new Date(Date.now() - skew)), 2_000);
    const me = watch(start(lock, "me"));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(me.acquired).toBe(false);
    expect(lock.record?.holderIdentity).toBe("other");
    clearInterval(renewer);
  });

  it("takes over a Lease only after it saw it unchanged for leaseDuration on its own clock", async () => {
    const lock = new MemoryLease();
    // The holder died; its last renewTime, by its skewed clock, looks long expired.
    lock.writeAs("dead", new Date(Date.now() - 3_600_000));
    const me = watch(start(lock, "me"));
    await vi.advanceTimersByTimeAsync(14_000);
    expect(me.acquired).toBe(false);
    await vi.advanceTimersByTimeAsync(timings.retryPeriodSeconds * 1000 + 1_000);
    expect(me.acquired).toBe(true);
    expect(lock.record).toMatchObject({ holderIdentity: "me", leaseTransitions: 1 });
  });

  it("stops leading the moment renewDeadline passes without a successful renew, even when the renew call hangs", async () => {
    const lock = new MemoryLease();
    const me = watch(start(lock, "me"));
    await vi.advanceTimersByTimeAsync(0);
    expect(me.acquired).toBe(true);
    // The next renew is due after retryPeriod; from then on every call hangs.
    lock.hang = true;
    await vi.advanceTimersByTimeAsync(timings.retryPeriodSeconds * 1000 + timings.renewDeadlineSeconds * 1000 - 1);
    expect(me.lost).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(me.lost).toBe(true);
  });

  it("a successor cannot take the Lease before leaseDuration after the last renew, and the old leader stopped before that", async () => {
    const lock = new MemoryLease();
    // Only the leader's connection hangs; the successor reaches the Lease.
    let hang = false;
    const never = () => new Promise<never>(() => {});
    const leaderSide: LeaseLock = {
      get: () => (hang ? never() : lock.get()),
      create: (record) => (hang ? never() : lock.create(record)),
      update: (record, version) => (hang ? never() : lock.update(record, version)),
    };
    const me = watch(start(leaderSide, "me"));
    await vi.advanceTimersByTimeAsync(0);
    expect(me.acquired).toBe(true);
    const lastRenew = Date.now();
    hang = true;
    const successor = watch(start(lock, "successor"));
    await vi.advanceTimersByTimeAsync(0);
    expect(successor.acquired).toBe(false);
    await vi.advanceTimersByTimeAsync(lastRenew + timings.leaseDurationSeconds * 1000 - 1 - Date.now());
    expect(successor.acquired).toBe(false);
    expect(lock.record?.holderIdentity).toBe("me");
    expect(me.lost).toBe(true);
    await vi.advanceTimersByTimeAsync(timings.retryPeriodSeconds * 1000 + 1);
    expect(successor.acquired).toBe(true);
    expect(lock.record?.holderIdentity).toBe("successor");
  });

  it("refuses timings under which the old leader could still lead when a successor takes over", () => {
    // 1 + 3 = 4 s: the leader would notice a failed renew only when a successor may already hold the Lease.
    expect(() => startLeaderElection(new MemoryLease(), { ...timings, identity: "x", leaseDurationSeconds: 4, renewDeadlineSeconds: 3, retryPeriodSeconds: 1 }, log)).toThrow(
      /retryPeriod \(1 s\) \+ renewDeadline \(3 s\) must be shorter than leaseDuration \(4 s\)/,
    );
    expect(() => startLeaderElection(new MemoryLease(), { ...timings, identity: "x", leaseDurationSeconds: 15, renewDeadlineSeconds: 2, retryPeriodSeconds: 2 }, log)).toThrow(/retryPeriod \* 1\.2/);
    expect(() => validateTimings({ leaseDurationSeconds: 4, renewDeadlineSeconds: 2, retryPeriodSeconds: 1 })).not.toThrow();
  });

  it("keeps leading through failed renews that recover within renewDeadline", async () => {
    const lock = new MemoryLease();
    const me = watch(start(lock, "me"));
    await vi.advanceTimersByTimeAsync(0);
    lock.fail = true;
    await vi.advanceTimersByTimeAsync(timings.retryPeriodSeconds * 1000 + 6_000);
    lock.fail = false;
    await vi.advanceTimersByTimeAsync(30_000);
    expect(me.lost).toBe(false);
    expect(lock.record?.holderIdentity).toBe("me");
  });

  it("lets exactly one of two candidates lead", async () => {
    const lock = new MemoryLease();
    const a = watch(start(lock, "a"));
    const b = watch(start(lock, "b"));
    await vi.advanceTimersByTimeAsync(60_000);
    expect([a.acquired, b.acquired].filter(Boolean)).toHaveLength(1);
    expect(lock.record?.holderIdentity).toBe(a.acquired ? "a" : "b");
  });
});
