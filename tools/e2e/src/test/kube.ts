// What the platform wrote into Kubernetes, read with the cluster's kubectl (admin), as JSON.
import type { ClusterInfo } from "@fireworkers/cluster";
import { kubectl } from "@fireworkers/testenv";

export interface KubeView {
  list(kind: string, selector?: string): Promise<any[]>;
  get(kind: string, name: string): Promise<any | undefined>;
  run(args: string[]): Promise<string>;
}

export function kubeView(cluster: ClusterInfo, namespace: string): KubeView {
  const kube = { kubectl: cluster.kubectl, kubeconfig: cluster.kubeconfig };
  const run = (args: string[]) => kubectl(kube, ["-n", namespace, ...args]);
  return {
    run,
    list: async (kind, selector) => JSON.parse(await run(["get", kind, ...(selector ? ["-l", selector] : []), "-o", "json"])).items,
    get: async (kind, name) => {
      const out = await run(["get", kind, name, "-o", "json", "--ignore-not-found"]);
      return out.trim() ? JSON.parse(out) : undefined;
    },
  };
}
