// What `cluster.json` holds once the cluster is ready, and the marks the supervisor prints so that
// `cli.ts up` (following its log) knows how the start ended.
import { apiUrl, edgeUrl, registryUrl, s3Url } from "../components.ts";
import type { ClusterConfig, clusterPaths } from "../config.ts";

/** Everything a user or a test needs to reach the cluster. */
export interface ClusterInfo {
  dir: string;
  kubeconfig: string;
  server: string;
  kubectl: string;
  crictl: string;
  containerdSocket: string;
  nodeName: string;
  nodeIp: string;
  podCidr: string;
  serviceCidr: string;
  /** host:port of the registry; image references use it (e.g. `10.244.0.1:5000/app:1`) from host and pods alike. */
  registry: string;
  registryUrl: string;
  /** The platform's S3 (versitygw) on the node IP: endpoint, region, bucket, local-only credentials. */
  s3: { endpoint: string; region: string; bucket: string; accessKeyId: string; secretAccessKey: string };
  /** The edge proxy (stands in for an ingress controller): Ingresses of `edgeIngressClass`, by Host header. */
  edgeUrl: string;
  edgeIngressClass: string;
  /** The pods' DNS server (CoreDNS on the node IP). */
  dns: string;
  clusterDomain: string;
  logs: string;
  supervisorPid: number;
  readyInMs: number;
}

export const READY_MARK = "[cluster] READY";
export const FAILED_MARK = "[cluster] FAILED";
export const STOPPED_MARK = "[cluster] STOPPED";

export function clusterInfo(
  cfg: ClusterConfig,
  paths: ReturnType<typeof clusterPaths>,
  tools: { kubectl: string; crictl: string },
  readyInMs: number,
): ClusterInfo {
  return {
    dir: cfg.dir,
    kubeconfig: paths.kubeconfig,
    server: apiUrl(cfg),
    kubectl: tools.kubectl,
    crictl: tools.crictl,
    containerdSocket: paths.containerdSocket,
    nodeName: cfg.nodeName,
    nodeIp: cfg.nodeIp,
    podCidr: cfg.podCidr,
    serviceCidr: cfg.serviceCidr,
    registry: `${cfg.nodeIp}:${cfg.registryPort}`,
    registryUrl: registryUrl(cfg),
    s3: { endpoint: s3Url(cfg), region: cfg.s3.region, bucket: cfg.s3.bucket, accessKeyId: cfg.s3.accessKeyId, secretAccessKey: cfg.s3.secretAccessKey },
    edgeUrl: edgeUrl(cfg),
    edgeIngressClass: cfg.edgeIngressClass,
    dns: cfg.nodeIp,
    clusterDomain: cfg.clusterDomain,
    logs: paths.logs,
    supervisorPid: process.pid,
    readyInMs,
  };
}
