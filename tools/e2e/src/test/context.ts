// The cluster and the platform the e2e project's global setup provides (tools/cluster/src/vitest-global-setup.ts).
import { inject } from "vitest";
import { kubeView } from "./kube.ts";

export function e2eContext() {
  const cluster = inject("cluster");
  const platform = inject("platform");
  return { cluster, platform, kube: kubeView(cluster, platform.namespace) };
}
