import { join } from "node:path";
import { CACHE_DIR } from "@fireworkers/testenv";

/**
 * Everything that names the single-node cluster: where its state lives, its addresses and ports.
 * Read from the environment once; the defaults suit one cluster per machine.
 */
export interface ClusterConfig {
  /** State (etcd data, PKI, containerd images, registry blobs, kubelet dir, logs); kept between runs. */
  dir: string;
  nodeName: string;
  /** Pods' subnet on the bridge; its first address is the bridge's, and the node IP. */
  podCidr: string;
  /** The node IP: the bridge's address. The API server, kubelet, registry and DNS listen on it only. */
  nodeIp: string;
  bridge: string;
  serviceCidr: string;
  /** First address of the service range: the `kubernetes` Service. */
  apiServiceIp: string;
  clusterDomain: string;
  apiPort: number;
  registryPort: number;
  etcdPort: number;
  /** The sandbox image containerd starts for every pod, built by the project and pushed to the registry. */
  pauseImage: string;
  /** The platform's S3 (versitygw on the node IP); deploy/local names the same endpoint and credentials. */
  s3: { port: number; region: string; bucket: string; accessKeyId: string; secretAccessKey: string };
  /** The host-side edge proxy (stands in for an ingress controller): <node IP>:edgePort, Ingress class. */
  edgePort: number;
  edgeIngressClass: string;
}

export function clusterConfig(env: NodeJS.ProcessEnv = process.env): ClusterConfig {
  const dir = env.FIREWORKERS_CLUSTER_DIR ?? join(CACHE_DIR, "cluster");
  const podCidr = env.FIREWORKERS_CLUSTER_POD_CIDR ?? "10.244.0.0/24";
  const serviceCidr = env.FIREWORKERS_CLUSTER_SERVICE_CIDR ?? "10.96.0.0/16";
  const nodeIp = firstHost(podCidr);
  const registryPort = Number(env.FIREWORKERS_CLUSTER_REGISTRY_PORT ?? 5000);
  return {
    dir,
    nodeName: env.FIREWORKERS_CLUSTER_NODE_NAME ?? "fireworkers-node",
    podCidr,
    nodeIp,
    bridge: env.FIREWORKERS_CLUSTER_BRIDGE ?? "fireworkers0",
    serviceCidr,
    apiServiceIp: firstHost(serviceCidr),
    clusterDomain: "cluster.local",
    apiPort: Number(env.FIREWORKERS_CLUSTER_API_PORT ?? 6443),
    registryPort,
    etcdPort: Number(env.FIREWORKERS_CLUSTER_ETCD_PORT ?? 2379),
    pauseImage: `${nodeIp}:${registryPort}/fireworkers/pause:3.10.1`,
    // Fixed, local-only credentials: the gateway listens on the bridge address only, never on a real interface.
    s3: {
      port: Number(env.FIREWORKERS_CLUSTER_S3_PORT ?? 7070),
      region: "us-east-1",
      bucket: "fireworkers",
      accessKeyId: "FIREWORKERSLOCAL",
      secretAccessKey: "fireworkers-local-only-secret",
    },
    edgePort: Number(env.FIREWORKERS_CLUSTER_EDGE_PORT ?? 80),
    edgeIngressClass: "fireworkers-edge",
  };
}

/** Paths inside the state directory. */
export function clusterPaths(dir: string) {
  return {
    dir,
    logs: join(dir, "logs"),
    run: join(dir, "run"),
    supervisorPid: join(dir, "run/supervisor.pid"),
    pids: join(dir, "run/pids.json"),
    sysctls: join(dir, "run/sysctls.json"),
    supervisorLog: join(dir, "logs/supervisor.log"),
    /** Written once the cluster is ready (ClusterInfo as JSON); removed on stop. */
    info: join(dir, "cluster.json"),
    pki: join(dir, "pki"),
    etcd: join(dir, "etcd"),
    containerd: join(dir, "containerd"),
    containerdSocket: join(dir, "containerd/containerd.sock"),
    cniConf: join(dir, "cni/net.d"),
    cniIpam: join(dir, "cni/ipam"),
    kubelet: join(dir, "kubelet"),
    podLogs: join(dir, "pod-logs"),
    kubeconfig: join(dir, "kubeconfig"),
    images: join(dir, "images"),
    s3: join(dir, "s3"),
  };
}

/** 10.244.0.0/24 -> 10.244.0.1 */
function firstHost(cidr: string): string {
  const [ip, bits] = cidr.split("/");
  const octets = ip!.split(".").map(Number);
  if (octets.length !== 4 || octets.some((o) => !(o >= 0 && o <= 255)) || !(Number(bits) <= 30)) {
    throw new Error(`not an IPv4 CIDR of /30 or wider: ${cidr}`);
  }
  const n = ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0;
  const mask = Number(bits) === 0 ? 0 : (~0 << (32 - Number(bits))) >>> 0;
  const host = ((n & mask) + 1) >>> 0;
  return [host >>> 24, (host >>> 16) & 255, (host >>> 8) & 255, host & 255].join(".");
}
