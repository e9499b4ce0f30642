// Lease-based leader election (coordination.k8s.io/v1), with client-go's timing model: a candidate
// takes the Lease when it is free or its holder has not renewed within leaseDuration; the leader
// renews every retryPeriod and gives up leadership when it could not renew within renewDeadline.
import { KINDS, type Lease } from "@fireworkers/kube";
import type { Logger } from "@fireworkers/observability";
import { setTimeout as sleep } from "node:timers/promises";
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

export function startLeaderElection(kube: Kube, options: LeaderElectionOptions, log: Logger): LeaderElection {
  const { leaseName: name, identity } = options;
  const namespace = kube.namespace;
  let stopped = false;
  let leading = false;
  let signalAcquired!: () => void;
  let signalLost!: () => void;
  const acquired = new Promise<void>((resolve) => (signalAcquired = resolve));
  const lost = new Promise<void>((resolve) => (signalLost = resolve));

  // Lease times are MicroTime: 6 fractional digits (toISOString has 3, which the apiserver refuses).
  const micro = (t: Date | string) => new Date(t).toISOString().replace(/Z$/, "000Z");

  /** One attempt to take or renew the Lease; true when we hold it afterwards. */
  async function tryAcquireOrRenew(): Promise<boolean> {
    const lease: Lease | undefined = await kube.get(KINDS.Lease, name);
    const now = new Date();
    if (!lease) {
      await kube.create(KINDS.Lease, {
        metadata: { name, namespace },
        spec: { holderIdentity: identity, leaseDurationSeconds: options.leaseDurationSeconds, acquireTime: micro(now), renewTime: micro(now), leaseTransitions: 0 },
      });
      return true;
    }
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity;
    const renewed = spec.renewTime ? new Date(spec.renewTime).getTime() : 0;
    const expired = !holder || renewed + (spec.leaseDurationSeconds ?? options.leaseDurationSeconds) * 1000 < now.getTime();
    if (holder !== identity && !expired) return false;
    const takingOver = holder !== identity;
    // replace with the read resourceVersion: a concurrent candidate's write makes this one fail (409).
    await kube.replace(KINDS.Lease, {
      metadata: { name, namespace, resourceVersion: lease.metadata?.resourceVersion },
      spec: {
        holderIdentity: identity,
        leaseDurationSeconds: options.leaseDurationSeconds,
        acquireTime: micro(takingOver || !spec.acquireTime ? now : spec.acquireTime),
        renewTime: micro(now),
        leaseTransitions: (spec.leaseTransitions ?? 0) + (takingOver ? 1 : 0),
      },
    });
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
        const lease = await kube.get(KINDS.Lease, name);
        if (!lease || lease.spec?.holderIdentity !== identity) return;
        await kube.replace(KINDS.Lease, { ...lease, spec: { ...lease.spec, holderIdentity: undefined, renewTime: undefined, acquireTime: undefined } });
      } catch (err) {
        log.warn({ err: String(err) }, "could not release the lease");
      }
    },
  };
}
