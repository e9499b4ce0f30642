// Waiting for the node to be usable: a condition polled against a deadline, and the pods the kubelet has
// not brought back yet after a restart.
import { setTimeout as sleep } from "node:timers/promises";
import { kubectl } from "@fireworkers/testenv";

export type Kube = { kubectl: string; kubeconfig: string };

export async function until(timeoutMs: number, what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(500);
  }
  throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${last ? `: ${last}` : ""}`);
}

export async function nodeReady(kube: Kube, node: string): Promise<boolean> {
  const status = JSON.parse(await kubectl(kube, ["get", "node", node, "-o", "json"]));
  return status.status?.conditions?.some((c: { type: string; status: string }) => c.type === "Ready" && c.status === "True");
}

/**
 * Pods on the node that the kubelet has not brought back since it started: not Ready since then, and
 * not failing either (a container in back-off is settled, if broken).
 */
export async function stalePods(kube: Kube, node: string, since: number): Promise<string[]> {
  const pods = JSON.parse(await kubectl(kube, ["get", "pods", "-A", "--field-selector", `spec.nodeName=${node},status.phase!=Succeeded,status.phase!=Failed`, "-o", "json"]));
  type Pod = {
    metadata: { namespace: string; name: string; deletionTimestamp?: string };
    status?: {
      conditions?: { type: string; status: string; lastTransitionTime?: string }[];
      containerStatuses?: { state?: { waiting?: { reason?: string } } }[];
    };
  };
  return (pods.items as Pod[])
    .filter((p) => {
      if (p.metadata.deletionTimestamp) return false;
      const ready = p.status?.conditions?.find((c) => c.type === "Ready");
      if (ready?.status === "True" && ready.lastTransitionTime && Date.parse(ready.lastTransitionTime) >= since) return false;
      const failing = p.status?.containerStatuses?.some((c) => /BackOff|Err|Invalid/.test(c.state?.waiting?.reason ?? ""));
      return !failing;
    })
    .map((p) => `${p.metadata.namespace}/${p.metadata.name}`);
}
