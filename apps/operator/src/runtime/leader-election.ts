// Lease-based leader election (coordination.k8s.io/v1), with client-go's timing model: a candidate
// takes the Lease when it is free or its holder has not renewed within leaseDuration; the leader
// renews every retryPeriod and gives up leadership when it could not renew within renewDeadline.
import { CoordinationV1Api, type V1Lease } from "@kubernetes/client-node";
import type { Logger } from "@fireworkers/observability";
import type { Kube } from "./kube.ts";

export interface LeaderElectionOptions {
  leaseName: string;
  identity: string;
  leaseDurationSeconds: number;
  renewDeadlineSeconds: number;
  retryPeriodSeconds: number;
}

export interface LeaderElection {
  /** Resolves once this process leads. */
  acquired: Promise<void>;
  /** Resolves when leadership is lost (the process should exit so another replica takes over). */
  lost: Promise<void>;
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
  const api = kube.config.makeApiClient(CoordinationV1Api);
  const namespace = kube.namespace;
  // Lease times are MicroTime (6 fractional digits); the client would send Dates with 3, which the
  // apiserver refuses. Strings pass through its serializer untouched.
  const micro = (t: string | undefined) => (t === undefined ? undefined : (new Date(t).toISOString().replace(/Z$/, "000Z") as unknown as Date));
  const spec = (r: LeaseRecord) => ({ ...r, acquireTime: micro(r.acquireTime), renewTime: micro(r.renewTime) });
  const toRecord = (lease: V1Lease): LeaseRecord => {
    const s = lease.spec ?? {};
    const time = (t: Date | string | undefined) => (t === undefined ? undefined : new Date(t).toISOString());
    return { holderIdentity: s.holderIdentity, leaseDurationSeconds: s.leaseDurationSeconds, acquireTime: time(s.acquireTime), renewTime: time(s.renewTime), leaseTransitions: s.leaseTransitions };
  };
  return {
    async get() {
      try {
        const lease = await api.readNamespacedLease({ name, namespace });
        return { record: toRecord(lease), version: lease.metadata?.resourceVersion ?? "" };
      } catch (err) {
        if ((err as { code?: number }).code === 404) return undefined;
        throw err;
      }
    },
    async create(record) {
      await api.createNamespacedLease({ namespace, body: { metadata: { name, namespace }, spec: spec(record) } });
    },
    async update(record, version) {
      // replace with the read resourceVersion: a concurrent candidate's write makes this one fail (409).
      await api.replaceNamespacedLease({ name, namespace, body: { metadata: { name, namespace, resourceVersion: version }, spec: spec(record) } });
    },
  };
}

/** Waits on the global timer (which tests can fake), not node:timers/promises. */
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function startLeaderElection(lock: LeaseLock, options: LeaderElectionOptions, log: Logger): LeaderElection {
  const { leaseName: name, identity } = options;
  let stopped = false;
  let leading = false;
  let signalAcquired!: () => void;
  let signalLost!: () => void;
  const acquired = new Promise<void>((resolve) => (signalAcquired = resolve));
  const lost = new Promise<void>((resolve) => (signalLost = resolve));
  const never = new AbortController().signal;

  /** One attempt to take or renew the Lease; true when we hold it afterwards. */
  async function tryAcquireOrRenew(): Promise<boolean> {
    const current = await lock.get(never);
    const now = new Date();
    if (!current) {
      await lock.create({ holderIdentity: identity, leaseDurationSeconds: options.leaseDurationSeconds, acquireTime: now.toISOString(), renewTime: now.toISOString(), leaseTransitions: 0 }, never);
      return true;
    }
    const spec = current.record;
    const holder = spec.holderIdentity;
    const renewed = spec.renewTime ? new Date(spec.renewTime).getTime() : 0;
    const expired = !holder || renewed + (spec.leaseDurationSeconds ?? options.leaseDurationSeconds) * 1000 < now.getTime();
    if (holder !== identity && !expired) return false;
    const takingOver = holder !== identity;
    await lock.update(
      {
        holderIdentity: identity,
        leaseDurationSeconds: options.leaseDurationSeconds,
        acquireTime: takingOver || !spec.acquireTime ? now.toISOString() : spec.acquireTime,
        renewTime: now.toISOString(),
        leaseTransitions: (spec.leaseTransitions ?? 0) + (takingOver ? 1 : 0),
      },
      current.version,
      never,
    );
    return true;
  }

  const campaign = async () => {
    while (!stopped && !leading) {
      try {
        leading = await tryAcquireOrRenew();
      } catch (err) {
        log.debug({ err: String(err) }, "lease acquire attempt failed");
      }
      if (leading) {
        log.info({ lease: name, identity }, "became leader");
        signalAcquired();
      } else {
        await sleep(options.retryPeriodSeconds * 1000);
      }
    }
    let lastRenew = Date.now();
    while (!stopped && leading) {
      await sleep(options.retryPeriodSeconds * 1000);
      if (stopped) break;
      try {
        if (await tryAcquireOrRenew()) {
          lastRenew = Date.now();
          continue;
        }
        leading = false;
      } catch (err) {
        log.warn({ err: String(err) }, "lease renew failed");
        if (Date.now() - lastRenew < options.renewDeadlineSeconds * 1000) continue;
        leading = false;
      }
    }
    if (!stopped) {
      log.error({ lease: name, identity }, "lost leadership");
      signalLost();
    }
  };
  void campaign();

  return {
    acquired,
    lost,
    async release() {
      stopped = true;
      if (!leading) return;
      leading = false;
      try {
        const current = await lock.get(never);
        if (current?.record.holderIdentity !== identity) return;
        await lock.update({ ...current.record, holderIdentity: undefined, renewTime: undefined, acquireTime: undefined }, current.version, never);
      } catch (err) {
        log.warn({ err: String(err) }, "could not release the lease");
      }
    },
  };
}
