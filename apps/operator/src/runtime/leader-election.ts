// Lease-based leader election (coordination.k8s.io/v1), with client-go's leaderelection timing model.
// Clocks of different machines are never compared: a candidate remembers the record it last saw and
// WHEN it saw it change on its own clock (observedTime), and takes the Lease only when it is free or
// the record stayed unchanged for leaseDuration since. The leader renews every retryPeriod; each renew
// round has renewDeadline to succeed (a hung call is abandoned at the deadline), and when it does not,
// the leader stops leading at that moment. A round starts retryPeriod after the last successful renew,
// so the leader notices failure at last renew + retryPeriod + renewDeadline, while a candidate may take
// the Lease leaseDuration after it saw that renew: retryPeriod + renewDeadline < leaseDuration is
// required (validateTimings), so the old leader has stopped before any candidate can see the Lease expire.
import { KINDS, type Lease } from "@fireworkers/kube";
import type { Logger } from "@fireworkers/observability";
import { abandonOnAbort } from "./abort.ts";
import type { Kube } from "./kube.ts";

export interface LeaderElectionOptions {
  leaseName: string;
  identity: string;
  leaseDurationSeconds: number;
  renewDeadlineSeconds: number;
  retryPeriodSeconds: number;
  /** Called synchronously the moment leadership is lost (before `lost` resolves): stop reconciling here. */
  onStoppedLeading?: () => void;
}

export interface LeaderElection {
  /** Resolves once this process leads. */
  acquired: Promise<void>;
  /** Resolves when leadership is lost (the process should exit so another replica takes over). */
  lost: Promise<void>;
  /** True from acquiring the Lease until the moment leadership is lost or released. */
  isLeader(): boolean;
  /** Stops campaigning; a leader releases the Lease so a successor needs no wait. */
  release(): Promise<void>;
}

/** The spec of the Lease, as the election reads and writes it (times as RFC 3339 strings). */
export interface LeaseRecord {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

/**
 * Where the record lives. `version` is the optimistic-concurrency token (the Lease's resourceVersion):
 * update must fail when the record changed since it was read, so two candidates cannot both win.
 */
export interface LeaseLock {
  get(signal: AbortSignal): Promise<{ record: LeaseRecord; version: string } | undefined>;
  create(record: LeaseRecord, signal: AbortSignal): Promise<void>;
  update(record: LeaseRecord, version: string, signal: AbortSignal): Promise<void>;
}

/** The Lease object of the operator's namespace as a LeaseLock. */
export function kubeLeaseLock(kube: Kube, name: string): LeaseLock {
  // Lease times are MicroTime: 6 fractional digits (toISOString has 3, which the apiserver refuses).
  const micro = (t: string | undefined) => (t === undefined ? undefined : new Date(t).toISOString().replace(/Z$/, "000Z"));
  const spec = (r: LeaseRecord) => ({ ...r, acquireTime: micro(r.acquireTime), renewTime: micro(r.renewTime) });
  const toRecord = (lease: Lease): LeaseRecord => {
    const s = lease.spec ?? {};
    const time = (t: string | undefined) => (t === undefined ? undefined : new Date(t).toISOString());
    return { holderIdentity: s.holderIdentity, leaseDurationSeconds: s.leaseDurationSeconds, acquireTime: time(s.acquireTime), renewTime: time(s.renewTime), leaseTransitions: s.leaseTransitions };
  };
  return {
    // Every call under the election's signal: a renew past its deadline is abandoned, not left to land later.
    async get(signal) {
      const lease = await kube.get(KINDS.Lease, name, { signal });
      return lease && { record: toRecord(lease), version: lease.metadata?.resourceVersion ?? "" };
    },
    async create(record, signal) {
      await kube.create(KINDS.Lease, { metadata: { name }, spec: spec(record) }, { signal });
    },
    async update(record, version, signal) {
      // replace with the read resourceVersion: a concurrent candidate's write makes this one fail (409).
      await kube.replace(KINDS.Lease, { metadata: { name, resourceVersion: version }, spec: spec(record) }, { signal });
    },
  };
}

/** Waits on the global timer (which tests can fake); an abort ends the wait early. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** Runs `fn` with a signal that aborts after `ms` (and abandons it then). */
async function withDeadline<T>(ms: number, what: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`${what}: deadline of ${ms} ms passed`)), ms);
  try {
    return await abandonOnAbort(fn(controller.signal), controller.signal);
  } finally {
    clearTimeout(timer);
  }
}

const sameRecord = (a: LeaseRecord, b: LeaseRecord) =>
  a.holderIdentity === b.holderIdentity &&
  a.leaseDurationSeconds === b.leaseDurationSeconds &&
  a.acquireTime === b.acquireTime &&
  a.renewTime === b.renewTime &&
  a.leaseTransitions === b.leaseTransitions;

/**
 * Refuses timings under which two leaders could overlap. client-go's NewLeaderElector
 * (k8s.io/client-go/tools/leaderelection/leaderelection.go) requires leaseDuration > renewDeadline and
 * renewDeadline > retryPeriod * JitterFactor (1.2); the first is not enough here, because a renew round
 * starts only retryPeriod after the last renew: retryPeriod + renewDeadline must stay below leaseDuration.
 */
export function validateTimings(options: Pick<LeaderElectionOptions, "leaseDurationSeconds" | "renewDeadlineSeconds" | "retryPeriodSeconds">): void {
  const { leaseDurationSeconds: lease, renewDeadlineSeconds: renew, retryPeriodSeconds: retry } = options;
  if (!(lease > 0 && renew > 0 && retry > 0)) throw new Error("leader election: leaseDuration, renewDeadline and retryPeriod must be positive");
  if (retry + renew >= lease) {
    throw new Error(
      `leader election: retryPeriod (${retry} s) + renewDeadline (${renew} s) must be shorter than leaseDuration (${lease} s), or a successor may take the Lease while this leader still reconciles`,
    );
  }
  if (renew <= retry * 1.2) throw new Error(`leader election: renewDeadline (${renew} s) must be greater than retryPeriod * 1.2 (${retry * 1.2} s), as client-go requires`);
}

export function startLeaderElection(lock: LeaseLock, options: LeaderElectionOptions, log: Logger): LeaderElection {
  const { leaseName: name, identity } = options;
  const retryMs = options.retryPeriodSeconds * 1000;
  const renewDeadlineMs = options.renewDeadlineSeconds * 1000;
  validateTimings(options);
  const stop = new AbortController();
  let leading = false;
  let signalAcquired!: () => void;
  let signalLost!: () => void;
  const acquired = new Promise<void>((resolve) => (signalAcquired = resolve));
  const lost = new Promise<void>((resolve) => (signalLost = resolve));
  /** The record as last read or written, and when it last changed, by this process's clock. */
  let observed: LeaseRecord | undefined;
  let observedTime = 0;

  /** One attempt to take or renew the Lease; true when we hold it afterwards, false when another does. */
  async function tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const current = await lock.get(signal);
    const now = Date.now();
    const stamp = new Date(now).toISOString();
    if (!current) {
      const record = { holderIdentity: identity, leaseDurationSeconds: options.leaseDurationSeconds, acquireTime: stamp, renewTime: stamp, leaseTransitions: 0 };
      await lock.create(record, signal);
      [observed, observedTime] = [record, now];
      return true;
    }
    const seen = current.record;
    if (!observed || !sameRecord(observed, seen)) [observed, observedTime] = [seen, now];
    const holder = seen.holderIdentity;
    const leaseMs = (seen.leaseDurationSeconds ?? options.leaseDurationSeconds) * 1000;
    // The remote renewTime is never compared with our clock: only how long WE saw the record unchanged.
    if (holder && holder !== identity && observedTime + leaseMs >= now) return false;
    const takingOver = holder !== identity;
    const record = {
      holderIdentity: identity,
      leaseDurationSeconds: options.leaseDurationSeconds,
      acquireTime: takingOver || !seen.acquireTime ? stamp : seen.acquireTime,
      renewTime: stamp,
      leaseTransitions: (seen.leaseTransitions ?? 0) + (takingOver ? 1 : 0),
    };
    // The read version makes a concurrent candidate's write fail (409): only one of two can win.
    await lock.update(record, current.version, signal);
    [observed, observedTime] = [record, now];
    return true;
  }

  async function acquire(): Promise<boolean> {
    while (!stop.signal.aborted) {
      try {
        if (await withDeadline(renewDeadlineMs, "lease acquire", tryAcquireOrRenew)) return true;
      } catch (err) {
        log.debug({ err: String(err) }, "lease acquire attempt failed");
      }
      await sleep(retryMs, stop.signal);
    }
    return false;
  }

  /** One renew round: retries every retryPeriod until a renew succeeds; false when renewDeadline passed first or another holds the Lease. */
  async function renew(): Promise<boolean> {
    try {
      return await withDeadline(renewDeadlineMs, "lease renew", async (deadline) => {
        for (;;) {
          try {
            return await abandonOnAbort(tryAcquireOrRenew(deadline), deadline);
          } catch (err) {
            if (deadline.aborted || stop.signal.aborted) throw err;
            log.warn({ err: String(err) }, "lease renew failed");
          }
          await sleep(retryMs, AbortSignal.any([deadline, stop.signal]));
        }
      });
    } catch (err) {
      if (!stop.signal.aborted) log.error({ err: String(err) }, "could not renew the lease in time");
      return false;
    }
  }

  const campaign = async () => {
    if (!(await acquire())) return;
    leading = true;
    log.info({ lease: name, identity }, "became leader");
    signalAcquired();
    while (!stop.signal.aborted) {
      await sleep(retryMs, stop.signal);
      if (stop.signal.aborted) return;
      if (!(await renew())) break;
    }
    if (stop.signal.aborted) return;
    leading = false;
    log.error({ lease: name, identity }, "lost leadership");
    options.onStoppedLeading?.();
    signalLost();
  };
  void campaign();

  return {
    acquired,
    lost,
    isLeader: () => leading,
    async release() {
      stop.abort();
      if (!leading) return;
      leading = false;
      try {
        await withDeadline(renewDeadlineMs, "lease release", async (signal) => {
          const current = await lock.get(signal);
          if (current?.record.holderIdentity !== identity) return;
          await lock.update({ ...current.record, holderIdentity: undefined, renewTime: undefined, acquireTime: undefined }, current.version, signal);
        });
      } catch (err) {
        log.warn({ err: String(err) }, "could not release the lease");
      }
    },
  };
}
