// How each component of the node is configured and started. Every start function writes its config
// files under the state directory and returns a started process (ready when it returns).
import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { apiserverArgs, auditPolicy, controllerManagerArgs, etcdArgs, goBinary, probe, startProcess, startRegistry, type RunningProcess } from "@fireworkers/testenv";
import { clusterPaths, type ClusterConfig } from "./config.ts";
import { writeKubeconfig, type Pki } from "./pki.ts";

const execFileAsync = promisify(execFile);

export interface Ctx {
  cfg: ClusterConfig;
  paths: ReturnType<typeof clusterPaths>;
  pki: Pki;
}

const adminHeaders = (ctx: Ctx) => ({ authorization: `Bearer ${ctx.pki.tokens.admin}` });
export const apiUrl = (cfg: ClusterConfig) => `https://${cfg.nodeIp}:${cfg.apiPort}`;
export const registryUrl = (cfg: ClusterConfig) => `http://${cfg.nodeIp}:${cfg.registryPort}`;

export function startEtcd({ cfg, paths }: Ctx): Promise<RunningProcess> {
  const url = `http://127.0.0.1:${cfg.etcdPort}`;
  const peer = `http://127.0.0.1:${cfg.etcdPort + 1}`;
  return startProcess({
    name: "etcd",
    command: goBinary("etcd"),
    args: etcdArgs({ name: "fireworkers", dataDir: paths.etcd, clientUrl: url, peerUrl: peer }, ["--listen-metrics-urls=", "--quota-backend-bytes=4294967296"]),
    logDir: paths.logs,
    ready: async () => (await probe(`${url}/health`)) === 200,
  });
}

export function startApiserver(ctx: Ctx): Promise<RunningProcess> {
  const { cfg, paths, pki } = ctx;
  const auditPolicyFile = join(paths.run, "audit-policy.json");
  writeFileSync(
    auditPolicyFile,
    JSON.stringify(
      // The node's own chatter (leases, node status) would drown the rest.
      auditPolicy([
        { level: "None", users: [`system:node:${cfg.nodeName}`, "system:kube-proxy"], verbs: ["get", "list", "watch", "update", "patch"] },
        { level: "None", resources: [{ group: "coordination.k8s.io", resources: ["leases"] }] },
      ]),
    ),
  );
  return startProcess({
    name: "kube-apiserver",
    command: goBinary("kube-apiserver"),
    args: apiserverArgs(
      {
        etcdUrl: `http://127.0.0.1:${cfg.etcdPort}`,
        address: cfg.nodeIp,
        securePort: cfg.apiPort,
        certDir: paths.pki,
        serviceCidr: cfg.serviceCidr,
        clusterDomain: cfg.clusterDomain,
        serviceAccountKey: pki.saKey,
        serviceAccountPub: pki.saPub,
        tokenAuthFile: pki.tokensCsv,
        authorizationMode: "Node,RBAC",
        auditPolicyFile,
        auditLogPath: join(paths.logs, "kube-audit.jsonl"),
      },
      [
        `--tls-cert-file=${pki.apiserverCert}`,
        `--tls-private-key-file=${pki.apiserverKey}`,
        `--client-ca-file=${pki.caCert}`,
        "--enable-admission-plugins=NodeRestriction",
        "--kubelet-preferred-address-types=InternalIP,Hostname",
        // The log lives as long as the cluster's state: bound it.
        "--audit-log-maxsize=100",
        "--audit-log-maxbackup=1",
      ],
    ),
    logDir: paths.logs,
    timeoutMs: 120_000,
    ready: async () => (await probe(`${apiUrl(cfg)}/readyz`, adminHeaders(ctx))) === 200,
  });
}

function componentKubeconfig(ctx: Ctx, id: Parameters<typeof writeKubeconfig>[3]): string {
  const path = join(ctx.paths.run, `${id}.kubeconfig`);
  writeKubeconfig(path, ctx.cfg, ctx.pki, id);
  return path;
}

export function startControllerManager(ctx: Ctx): Promise<RunningProcess> {
  const { cfg, paths, pki } = ctx;
  const kubeconfig = componentKubeconfig(ctx, "kube-controller-manager");
  return startProcess({
    name: "kube-controller-manager",
    command: goBinary("kube-controller-manager"),
    args: controllerManagerArgs({ kubeconfig, securePort: 10257, serviceAccountKey: pki.saKey, rootCaFile: pki.caCert }, [
      // One service account per controller, as the bootstrap RBAC policy expects.
      "--use-service-account-credentials=true",
      `--cluster-signing-cert-file=${pki.caCert}`,
      `--cluster-signing-key-file=${pki.caKey}`,
      `--service-cluster-ip-range=${cfg.serviceCidr}`,
    ]),
    logDir: paths.logs,
    ready: async () => (await probe("https://127.0.0.1:10257/healthz")) === 200,
  });
}

export function startScheduler(ctx: Ctx): Promise<RunningProcess> {
  const kubeconfig = componentKubeconfig(ctx, "kube-scheduler");
  return startProcess({
    name: "kube-scheduler",
    command: goBinary("kube-scheduler"),
    args: [
      `--kubeconfig=${kubeconfig}`,
      `--authentication-kubeconfig=${kubeconfig}`,
      `--authorization-kubeconfig=${kubeconfig}`,
      "--leader-elect=false",
      "--bind-address=127.0.0.1",
      "--secure-port=10259",
    ],
    logDir: ctx.paths.logs,
    ready: async () => (await probe("https://127.0.0.1:10259/healthz")) === 200,
  });
}

/** The registry pods pull from (and the platform pushes to): on the node IP, reachable from host and pods. */
export async function startClusterRegistry({ cfg, paths }: Ctx): Promise<RunningProcess> {
  const { processes } = await startRegistry(paths.dir, paths.logs, "registry", false, `${cfg.nodeIp}:${cfg.registryPort}`);
  return processes[0]!;
}

/** Debian's containerd with its CRI plugin, runc, the CNI plugins of /usr/lib/cni and the local registry as plain HTTP. */
export function startContainerd({ cfg, paths }: Ctx): Promise<RunningProcess> {
  const root = paths.containerd;
  const registryHost = `${cfg.nodeIp}:${cfg.registryPort}`;
  mkdirSync(join(root, "certs.d", registryHost), { recursive: true });
  writeFileSync(
    join(root, "certs.d", registryHost, "hosts.toml"),
    `server = "http://${registryHost}"\n[host."http://${registryHost}"]\n  capabilities = ["pull", "resolve", "push"]\n`,
  );
  mkdirSync(paths.cniConf, { recursive: true });
  writeFileSync(
    join(paths.cniConf, "10-fireworkers.conflist"),
    JSON.stringify(
      {
        cniVersion: "1.0.0",
        name: "fireworkers",
        plugins: [
          {
            type: "bridge",
            bridge: cfg.bridge,
            isGateway: true,
            // Pods only talk to each other and to the host: nothing is masqueraded out of the machine.
            ipMasq: false,
            hairpinMode: true,
            ipam: {
              type: "host-local",
              ranges: [[{ subnet: cfg.podCidr, gateway: cfg.nodeIp }]],
              routes: [{ dst: "0.0.0.0/0" }],
              dataDir: paths.cniIpam,
            },
          },
          { type: "portmap", capabilities: { portMappings: true } },
        ],
      },
      null,
      2,
    ),
  );
  const config = `version = 2
root = "${root}/root"
state = "${root}/state"
[grpc]
  address = "${paths.containerdSocket}"
[plugins]
  [plugins."io.containerd.internal.v1.opt"]
    path = "${root}/opt"
  [plugins."io.containerd.grpc.v1.cri"]
    sandbox_image = "${cfg.pauseImage}"
    stream_server_address = "127.0.0.1"
    stream_server_port = "0"
    enable_cdi = false
    # This machine withholds CAP_SYS_RESOURCE even from root: a negative oom_score_adj (-998 for
    # sandboxes) cannot be written and runc init dies ("can't get final child's PID from pipe: EOF").
    # Clamp every score to containerd's own (0) or above instead.
    restrict_oom_score_adj = true
    [plugins."io.containerd.grpc.v1.cri".containerd]
      snapshotter = "overlayfs"
      default_runtime_name = "runc"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
        runtime_type = "io.containerd.runc.v2"
        [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
          BinaryName = "/usr/sbin/runc"
          SystemdCgroup = false
    [plugins."io.containerd.grpc.v1.cri".cni]
      bin_dir = "/usr/lib/cni"
      conf_dir = "${paths.cniConf}"
    [plugins."io.containerd.grpc.v1.cri".registry]
      config_path = "${root}/certs.d"
`;
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, "config.toml"), config);
  return startProcess({
    name: "containerd",
    command: "containerd",
    args: ["--config", join(root, "config.toml")],
    logDir: paths.logs,
    ready: async () => (await crictl(paths, ["info"]), true),
  });
}

export function startKubelet(ctx: Ctx): Promise<RunningProcess> {
  const { cfg, paths } = ctx;
  const kubeconfig = componentKubeconfig(ctx, "kubelet");
  mkdirSync(paths.kubelet, { recursive: true });
  mkdirSync(paths.podLogs, { recursive: true });
  const config = {
    apiVersion: "kubelet.config.k8s.io/v1beta1",
    kind: "KubeletConfiguration",
    containerRuntimeEndpoint: `unix://${paths.containerdSocket}`,
    imageServiceEndpoint: `unix://${paths.containerdSocket}`,
    cgroupDriver: "cgroupfs",
    failCgroupV1: false,
    failSwapOn: false,
    address: cfg.nodeIp,
    port: 10250,
    readOnlyPort: 0,
    healthzBindAddress: "127.0.0.1",
    healthzPort: 10248,
    // A local cluster: the API server reaches the kubelet without credentials (logs, exec, port-forward).
    authentication: { anonymous: { enabled: true }, webhook: { enabled: false }, x509: {} },
    authorization: { mode: "AlwaysAllow" },
    clusterDomain: cfg.clusterDomain,
    clusterDNS: [cfg.nodeIp],
    podLogsDir: paths.podLogs,
    volumePluginDir: join(paths.kubelet, "volume-plugins"),
    evictionHard: { "memory.available": "100Mi", "nodefs.available": "1%", "imagefs.available": "1%", "nodefs.inodesFree": "1%" },
    evictionPressureTransitionPeriod: "10s",
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    serializeImagePulls: false,
    maxPods: 110,
    // Pods of a new Deployment show up at once rather than after the default 10 s status sync.
    nodeStatusUpdateFrequency: "5s",
    syncFrequency: "10s",
    fileCheckFrequency: "10s",
    rotateCertificates: false,
    serverTLSBootstrap: false,
    resolvConf: "/etc/resolv.conf",
    shutdownGracePeriod: "0s",
  };
  const configFile = join(paths.run, "kubelet.json");
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  return startProcess({
    name: "kubelet",
    command: goBinary("kubelet"),
    args: [
      `--config=${configFile}`,
      `--kubeconfig=${kubeconfig}`,
      `--root-dir=${paths.kubelet}`,
      `--cert-dir=${join(paths.kubelet, "pki")}`,
      `--hostname-override=${cfg.nodeName}`,
      `--node-ip=${cfg.nodeIp}`,
      "--v=1",
    ],
    logDir: paths.logs,
    timeoutMs: 120_000,
    ready: async () => (await probe("http://127.0.0.1:10248/healthz")) === 200,
  });
}

export function kubeProxyConfig(ctx: Ctx): string {
  const { cfg, paths } = ctx;
  const kubeconfig = componentKubeconfig(ctx, "kube-proxy");
  const config = {
    apiVersion: "kubeproxy.config.k8s.io/v1alpha1",
    kind: "KubeProxyConfiguration",
    mode: "iptables",
    clientConnection: { kubeconfig },
    hostnameOverride: cfg.nodeName,
    bindAddress: cfg.nodeIp,
    clusterCIDR: cfg.podCidr,
    healthzBindAddress: "127.0.0.1:10256",
    metricsBindAddress: "127.0.0.1:10249",
    // NodePorts only on the node IP: nothing is exposed on the machine's real interfaces.
    nodePortAddresses: [`${cfg.nodeIp}/32`],
    // Leave the host's conntrack sysctls alone.
    conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: "0s", tcpCloseWaitTimeout: "0s" },
    iptables: { syncPeriod: "30s", minSyncPeriod: "0s", localhostNodePorts: false },
  };
  const file = join(paths.run, "kube-proxy.json");
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

export function startKubeProxy(ctx: Ctx): Promise<RunningProcess> {
  return startProcess({
    name: "kube-proxy",
    command: goBinary("kube-proxy"),
    args: [`--config=${kubeProxyConfig(ctx)}`, "--v=1"],
    logDir: ctx.paths.logs,
    ready: async () => (await probe("http://127.0.0.1:10256/healthz")) === 200,
  });
}

/** Removes kube-proxy's iptables chains (`kube-proxy --cleanup`). */
export async function cleanupKubeProxy(ctx: Ctx): Promise<void> {
  await execFileAsync(goBinary("kube-proxy"), [`--config=${kubeProxyConfig(ctx)}`, "--cleanup"], { timeout: 60_000 });
}

/**
 * CoreDNS as a host process on the node IP, port 53 (the kubelet's clusterDNS), serving the cluster
 * domain from the API. Other names are not forwarded anywhere: no query leaves the machine.
 */
export function startCoreDns(ctx: Ctx): Promise<RunningProcess> {
  const { cfg, paths } = ctx;
  const kubeconfig = componentKubeconfig(ctx, "coredns");
  const corefile = join(paths.run, "Corefile");
  writeFileSync(
    corefile,
    `.:53 {
    bind ${cfg.nodeIp}
    errors
    health 127.0.0.1:10054
    ready 127.0.0.1:10055
    kubernetes ${cfg.clusterDomain} in-addr.arpa ip6.arpa {
        kubeconfig ${kubeconfig} fireworkers
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
        ttl 5
    }
    cache 5
    loadbalance
}
`,
  );
  return startProcess({
    name: "coredns",
    command: goBinary("coredns"),
    args: ["-conf", corefile],
    logDir: paths.logs,
    ready: async () => (await probe("http://127.0.0.1:10055/ready")) === 200,
  });
}

/** RBAC for CoreDNS's identity: what its kubernetes plugin lists and watches. */
export const corednsRbac = {
  apiVersion: "v1",
  kind: "List",
  items: [
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: "fireworkers:coredns" },
      rules: [
        { apiGroups: [""], resources: ["endpoints", "services", "pods", "namespaces"], verbs: ["list", "watch"] },
        { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["list", "watch"] },
      ],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: "fireworkers:coredns" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "fireworkers:coredns" },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "fireworkers:coredns" }],
    },
  ],
};

/** crictl against the cluster's containerd; resolves to stdout. */
export async function crictl(paths: ReturnType<typeof clusterPaths>, args: string[], timeoutMs = 60_000): Promise<string> {
  const endpoint = `unix://${paths.containerdSocket}`;
  try {
    const { stdout } = await execFileAsync(
      goBinary("crictl"),
      [`--runtime-endpoint=${endpoint}`, `--image-endpoint=${endpoint}`, "--timeout=30s", ...args],
      { timeout: timeoutMs, maxBuffer: 16 << 20 },
    );
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`crictl ${args.join(" ")}: ${e.stderr?.trim() || e.message}`);
  }
}

export const s3Url = (cfg: ClusterConfig) => `http://${cfg.nodeIp}:${cfg.s3.port}`;
export const edgeUrl = (cfg: ClusterConfig) => `http://${cfg.nodeIp}${cfg.edgePort === 80 ? "" : `:${cfg.edgePort}`}`;

/** The platform's S3: versitygw over a directory of the state, on the node IP (pods and host reach it), with its bucket. */
export async function startClusterS3({ cfg, paths }: Ctx): Promise<RunningProcess> {
  const root = paths.s3;
  mkdirSync(join(root, cfg.s3.bucket), { recursive: true }); // versitygw's posix backend: a bucket is a directory
  return startProcess({
    name: "s3",
    command: goBinary("versitygw"),
    args: ["--port", `${cfg.nodeIp}:${cfg.s3.port}`, "--region", cfg.s3.region, "posix", root],
    env: { ROOT_ACCESS_KEY: cfg.s3.accessKeyId, ROOT_SECRET_KEY: cfg.s3.secretAccessKey },
    logDir: paths.logs,
    // Any HTTP answer (403 for an unsigned request) means it serves.
    ready: async () => (await probe(`${s3Url(cfg)}/`)) > 0,
  });
}

/** The edge proxy (edge/edge-proxy.ts): Ingresses of cfg.edgeIngressClass, served on <node IP>:edgePort. */
export function startEdge({ cfg, paths }: Ctx): Promise<RunningProcess> {
  return startProcess({
    name: "edge-proxy",
    command: process.execPath,
    // The state directory on the command line marks the process as this cluster's (cleanLeftovers finds it).
    args: [join(import.meta.dirname, "edge/edge-proxy.ts"), paths.dir],
    env: { KUBECONFIG: paths.kubeconfig, EDGE_LISTEN: `${cfg.nodeIp}:${cfg.edgePort}`, EDGE_INGRESS_CLASS: cfg.edgeIngressClass },
    logDir: paths.logs,
    ready: async () => (await probe(`${edgeUrl(cfg)}/`)) > 0,
  });
}
