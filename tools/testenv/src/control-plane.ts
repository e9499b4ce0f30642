// The control plane's flags (etcd, kube-apiserver, kube-controller-manager), ONCE for both places that run
// one: the test environment (kube.ts: loopback, token auth) and the single-node cluster (tools/cluster:
// the node IP, client certificates, Node authorization). Each caller passes only what differs.

export interface EtcdFlags {
  name: string;
  dataDir: string;
  /** http://host:port the clients (the apiserver) use. */
  clientUrl: string;
  peerUrl: string;
}

export function etcdArgs(f: EtcdFlags, extra: string[] = []): string[] {
  return [
    `--name=${f.name}`,
    `--data-dir=${f.dataDir}`,
    `--listen-client-urls=${f.clientUrl}`,
    `--advertise-client-urls=${f.clientUrl}`,
    `--listen-peer-urls=${f.peerUrl}`,
    `--initial-advertise-peer-urls=${f.peerUrl}`,
    `--initial-cluster=${f.name}=${f.peerUrl}`,
    // A local, disposable etcd: fsync costs far more than it protects here.
    "--unsafe-no-fsync",
    "--log-level=warn",
    ...extra,
  ];
}

export interface ApiserverFlags {
  etcdUrl: string;
  /** Listens and advertises on this address. */
  address: string;
  securePort: number;
  certDir: string;
  serviceCidr: string;
  clusterDomain: string;
  serviceAccountKey: string;
  serviceAccountPub: string;
  tokenAuthFile: string;
  /** "RBAC" or "Node,RBAC" (a node needs the Node authorizer). */
  authorizationMode: string;
  auditPolicyFile: string;
  auditLogPath: string;
}

export function apiserverArgs(f: ApiserverFlags, extra: string[] = []): string[] {
  return [
    `--etcd-servers=${f.etcdUrl}`,
    `--bind-address=${f.address}`,
    `--advertise-address=${f.address}`,
    `--secure-port=${f.securePort}`,
    `--cert-dir=${f.certDir}`,
    `--service-cluster-ip-range=${f.serviceCidr}`,
    "--allow-privileged=true",
    `--service-account-issuer=https://kubernetes.default.svc.${f.clusterDomain}`,
    `--service-account-key-file=${f.serviceAccountPub}`,
    `--service-account-signing-key-file=${f.serviceAccountKey}`,
    `--token-auth-file=${f.tokenAuthFile}`,
    `--authorization-mode=${f.authorizationMode}`,
    `--audit-policy-file=${f.auditPolicyFile}`,
    `--audit-log-path=${f.auditLogPath}`,
    "--audit-log-format=json",
    // Batches reach the file within a second: tests read the audit log to count requests.
    "--audit-log-mode=batch",
    "--audit-log-batch-max-wait=1s",
    ...extra,
  ];
}

/** The audit policy both use: every request at Metadata level, after the caller's quieter rules. */
export function auditPolicy(quiet: object[] = []): object {
  return { apiVersion: "audit.k8s.io/v1", kind: "Policy", omitStages: ["RequestReceived"], rules: [...quiet, { level: "Metadata" }] };
}

export interface ControllerManagerFlags {
  kubeconfig: string;
  securePort: number;
  serviceAccountKey: string;
  rootCaFile: string;
}

export function controllerManagerArgs(f: ControllerManagerFlags, extra: string[] = []): string[] {
  return [
    `--kubeconfig=${f.kubeconfig}`,
    `--authentication-kubeconfig=${f.kubeconfig}`,
    `--authorization-kubeconfig=${f.kubeconfig}`,
    "--leader-elect=false",
    "--bind-address=127.0.0.1",
    `--secure-port=${f.securePort}`,
    `--service-account-private-key-file=${f.serviceAccountKey}`,
    `--root-ca-file=${f.rootCaFile}`,
    "--controllers=*",
    // Tests create and delete much in little time: react at once.
    "--concurrent-gc-syncs=5",
    ...extra,
  ];
}
