// Which components the supervisor runs and in what order. Started phase by phase (a phase's components
// side by side), stopped in the reverse order by teardown.ts, which interleaves the host cleanup.
import type { RunningProcess } from "@fireworkers/testenv";
import {
  startApiserver,
  startClusterRegistry,
  startClusterS3,
  startContainerd,
  startControllerManager,
  startCoreDns,
  startEdge,
  startEtcd,
  startKubelet,
  startKubeProxy,
  startScheduler,
  type Ctx,
} from "../components.ts";

export type Name =
  | "etcd"
  | "kube-apiserver"
  | ("registry" | "s3" | "containerd")
  | ("kube-controller-manager" | "kube-scheduler" | "kubelet" | "kube-proxy" | "coredns" | "edge-proxy");

export const starters: Record<Name, (ctx: Ctx) => Promise<RunningProcess>> = {
  etcd: startEtcd,
  "kube-apiserver": startApiserver,
  registry: startClusterRegistry,
  s3: startClusterS3,
  containerd: startContainerd,
  "kube-controller-manager": startControllerManager,
  "kube-scheduler": startScheduler,
  kubelet: startKubelet,
  "kube-proxy": startKubeProxy,
  coredns: startCoreDns,
  "edge-proxy": startEdge,
};

/** The storage and runtime phase: etcd then the apiserver (it needs etcd), beside the registry, S3 and containerd. */
export const STORAGE_PHASE = { chain: ["etcd", "kube-apiserver"], beside: ["registry", "s3", "containerd"] } as const satisfies { chain: Name[]; beside: Name[] };
/** The node phase, after the pause image is in the registry: everything that needs the apiserver. */
export const NODE_PHASE = ["kube-controller-manager", "kube-scheduler", "kubelet", "kube-proxy", "coredns", "edge-proxy"] as const satisfies Name[];
