// The supervisor: one long-running process that owns every component of the single-node cluster as a
// child process, starts them in order, restarts one that dies, and on SIGTERM takes it all down again
// (pods, mounts, iptables chains, the bridge, sysctls) so that the next start begins clean.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { goBinary, kubectl, type RunningProcess } from "@fireworkers/testenv";
import {
  apiUrl,
  cleanupKubeProxy,
  corednsRbac,
  crictl,
  edgeUrl,
  s3Url,
  registryUrl,
  startApiserver,
  startClusterRegistry,
  startClusterS3,
  startContainerd,
  startEdge,
  startControllerManager,
  startCoreDns,
  startEtcd,
  startKubelet,
  startKubeProxy,
  startScheduler,
  type Ctx,
} from "./components.ts";
import { clusterConfig, clusterPaths, type ClusterConfig } from "./config.ts";
import {
  alive,
  deleteBridge,
  ensureBridge,
  leftoverNetns,
  pidsWithCmdline,
  recordSysctls,
  removeContainerLogLinks,
  removeKubeChains,
  restoreSysctls,
  unmountUnder,
} from "./host.ts";
import { hasManifest, pauseImage, pushImage } from "./image.ts";
import { ensurePki, writeKubeconfig } from "./pki.ts";

/** What `cluster.json` holds once the cluster is ready: everything a user or a test needs to reach it. */
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

const K8S_VERSION = "v1.34.4";
// The components; started in this order (those on one line together), stopped in the reverse order.
type Name =
  | "etcd"
  | "kube-apiserver"
  | ("registry" | "s3" | "containerd")
  | ("kube-controller-manager" | "kube-scheduler" | "kubelet" | "kube-proxy" | "coredns" | "edge-proxy");

const starters: Record<Name, (ctx: Ctx) => Promise<RunningProcess>> = {
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

const t0 = Date.now();
const log = (msg: string) => console.log(`[cluster +${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`);

export async function supervise(cfg: ClusterConfig = clusterConfig()): Promise<void> {
  const paths = clusterPaths(cfg.dir);
  for (const d of [paths.logs, paths.run]) mkdirSync(d, { recursive: true });
  const running = new Map<Name, RunningProcess>();
  let stopping = false;
  let ctx: Ctx | undefined;

  const savePids = () => writeFileSync(paths.pids, JSON.stringify(Object.fromEntries([...running].map(([n, p]) => [n, p.pid])), null, 2));
  const start = async (name: Name) => {
    const proc = await starters[name](ctx!);
    running.set(name, proc);
    savePids();
    void proc.exited.then((how) => onExit(name, proc, how));
    return proc;
  };
  const restarts: number[] = [];
  const onExit = async (name: Name, proc: RunningProcess, how: string) => {
    if (stopping || running.get(name) !== proc) return;
    running.delete(name);
    log(`${name} ${how} unexpectedly; see ${proc.logFile}`);
    restarts.push(Date.now());
    while (restarts.length && restarts[0]! < Date.now() - 300_000) restarts.shift();
    if (restarts.length > 10) {
      log("more than 10 restarts in 5 minutes: giving up, stopping the cluster");
      await shutdown(1);
      return;
    }
    await sleep(2000);
    if (stopping) return;
    try {
      await start(name);
      log(`${name} restarted`);
    } catch (err) {
      log(`${name} could not be restarted: ${(err as Error).message}`);
    }
  };

  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log("stopping");
    await teardown(cfg, running, ctx);
    rmSync(paths.supervisorPid, { force: true });
    console.log(code === 0 ? STOPPED_MARK : FAILED_MARK);
    process.exit(code);
  };
  process.once("SIGTERM", () => void shutdown(0));
  process.once("SIGINT", () => void shutdown(0));

  try {
    const steps = 7;
    let step = 0;
    const stepLog = (msg: string) => log(`step ${++step}/${steps}: ${msg}`);

    stepLog("preflight (root, Debian packages, Go-built binaries)");
    preflight();
    await cleanLeftovers(cfg);
    writeFileSync(paths.supervisorPid, String(process.pid));

    stepLog(`network: bridge ${cfg.bridge} ${cfg.nodeIp}/${cfg.podCidr.split("/")[1]} (the node IP), ip_forward, bridge netfilter`);
    recordSysctls(paths.sysctls);
    ensureBridge(cfg);

    stepLog("PKI: CA, API server certificate, service-account key, component tokens");
    const pki = ensurePki(cfg, paths.pki);
    writeKubeconfig(paths.kubeconfig, cfg, pki, "admin");
    ctx = { cfg, paths, pki };

    stepLog("etcd, kube-apiserver, registry, S3 (versitygw), containerd (CRI)");
    await Promise.all([
      (async () => {
        await start("etcd");
        log("  etcd ready");
        await start("kube-apiserver");
        log(`  kube-apiserver ready at ${apiUrl(cfg)}`);
      })(),
      start("registry").then(() => log(`  registry ready at ${registryUrl(cfg)}`)),
      start("s3").then(() => log(`  S3 ready at ${s3Url(cfg)} (bucket ${cfg.s3.bucket})`)),
      start("containerd").then(() => log("  containerd ready (CRI)")),
    ]);

    stepLog(`pause image ${cfg.pauseImage}`);
    const [pauseRepo, pauseTag] = cfg.pauseImage.slice(cfg.pauseImage.indexOf("/") + 1).split(":") as [string, string];
    if (await hasManifest(registryUrl(cfg), pauseRepo, pauseTag)) {
      log("  already in the registry");
    } else {
      const digest = await pushImage(registryUrl(cfg), pauseRepo, pauseTag, pauseImage(K8S_VERSION, paths.images));
      log(`  built from pause.c with gcc -static and pushed: ${digest}`);
    }
    await crictl(paths, ["pull", cfg.pauseImage]);

    const kube = { kubectl: goBinary("kubectl"), kubeconfig: paths.kubeconfig };
    await kubectl(kube, ["apply", "--server-side", "--force-conflicts", "-f", "-"], JSON.stringify(corednsRbac));

    stepLog("kube-controller-manager, kube-scheduler, kubelet, kube-proxy, CoreDNS, edge proxy");
    const kubeletStarted = Math.floor(Date.now() / 1000) * 1000;
    await Promise.all(
      (["kube-controller-manager", "kube-scheduler", "kubelet", "kube-proxy", "coredns", "edge-proxy"] as const).map((n) =>
        start(n).then(() => log(`  ${n} ready`)),
      ),
    );

    stepLog(`node ${cfg.nodeName} Ready, default service account, existing pods restarted`);
    await until(120_000, `node ${cfg.nodeName} to become Ready`, async () => {
      const node = JSON.parse(await kubectl(kube, ["get", "node", cfg.nodeName, "-o", "json"]));
      return node.status?.conditions?.some((c: { type: string; status: string }) => c.type === "Ready" && c.status === "True");
    });
    await until(60_000, "the default service account", async () => (await kubectl(kube, ["get", "serviceaccount", "default", "-o", "name"]), true));
    // Pods from before a restart still show their old status until the kubelet has restarted them.
    const stale = await until(60_000, "pods to be (re)started", async () => (await stalePods(kube, cfg.nodeName, kubeletStarted)).length === 0).then(
      () => [],
      () => stalePods(kube, cfg.nodeName, kubeletStarted),
    );
    if (stale.length) log(`  not Ready after 60 s (see kubectl describe): ${stale.join(", ")}`);

    const info: ClusterInfo = {
      dir: cfg.dir,
      kubeconfig: paths.kubeconfig,
      server: apiUrl(cfg),
      kubectl: kube.kubectl,
      crictl: goBinary("crictl"),
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
      readyInMs: Date.now() - t0,
    };
    writeFileSync(paths.info, JSON.stringify(info, null, 2));
    log(`ready in ${(info.readyInMs / 1000).toFixed(1)}s`);
    console.log(READY_MARK);
  } catch (err) {
    log(`start failed: ${(err as Error).message}`);
    await shutdown(1);
  }
}

/**
 * Pods on the node that the kubelet has not brought back since it started: not Ready since then, and
 * not failing either (a container in back-off is settled, if broken).
 */
async function stalePods(kube: { kubectl: string; kubeconfig: string }, node: string, since: number): Promise<string[]> {
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

function preflight(): void {
  if (process.getuid?.() !== 0) throw new Error("the cluster needs root (kubelet, containerd, bridge, iptables)");
  const missing = ["containerd", "runc", "ip", "iptables", "openssl", "gcc", "docker-registry", "umount"].filter((c) => {
    try {
      execFileSync("sh", ["-c", `command -v ${c}`], { stdio: "ignore" });
      return false;
    } catch {
      return true;
    }
  });
  for (const p of ["bridge", "host-local", "loopback", "portmap"]) if (!existsSync(`/usr/lib/cni/${p}`)) missing.push(`/usr/lib/cni/${p}`);
  if (missing.length) throw new Error(`missing: ${missing.join(", ")}; run scripts/setup-debian.sh --cluster (make setup-cluster)`);
  for (const b of ["versitygw", "etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubelet", "kube-proxy", "kubectl", "crictl", "coredns"] as const) {
    goBinary(b); // builds what is missing (scripts/go-tools.sh --node)
  }
}

async function until(timeoutMs: number, what: string, check: () => Promise<boolean>): Promise<void> {
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

/**
 * Stops everything in reverse order and removes what the node left on the host: pod sandboxes
 * (containers, network namespaces, veths, IPs) through CRI while containerd still runs, then mounts
 * under the state directory, kube-proxy's iptables chains, empty kubepods cgroups, the bridge, sysctls.
 * `running` may hold processes this process did not start (a supervisor that was killed): they are
 * stopped by pid.
 */
export async function teardown(cfg: ClusterConfig, running: Map<Name, RunningProcess>, ctx?: Ctx): Promise<void> {
  const paths = clusterPaths(cfg.dir);
  rmSync(paths.info, { force: true });
  const stop = async (name: Name) => {
    const p = running.get(name);
    if (!p) return;
    running.delete(name);
    await p.stop();
    log(`  ${name} stopped`);
  };
  const step = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (err) {
      log(`  ${what}: ${(err as Error).message.split("\n")[0]}`);
    }
  };

  await Promise.all([stop("edge-proxy"), stop("coredns"), stop("kube-proxy"), stop("kubelet")]);
  if (ctx) await step("kube-proxy --cleanup", () => cleanupKubeProxy(ctx));
  if (running.has("containerd")) {
    await step("removing pod sandboxes", async () => {
      const pods = (await crictl(paths, ["pods", "-q"])).trim().split("\n").filter(Boolean);
      if (pods.length) {
        await crictl(paths, ["rmp", "--force", "--all"], 120_000);
        log(`  ${pods.length} pod sandbox(es) stopped and removed`);
      }
    });
  }
  await stop("containerd");
  // Whatever survived: shims of our containerd and processes left in kubepods cgroups.
  const stray = [...pidsWithCmdline(`-address ${paths.containerdSocket}`), ...kubepodsPids()];
  for (const pid of stray) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone
    }
  }
  if (stray.length) log(`  killed ${stray.length} leftover container process(es)`);
  await sleep(stray.length ? 500 : 0);
  const unmounted = unmountUnder([cfg.dir]);
  if (unmounted.length) log(`  unmounted ${unmounted.length} leftover mount(s) under ${cfg.dir}`);
  for (const ns of leftoverNetns()) {
    unmountUnder([ns]);
    rmSync(ns, { force: true });
    log(`  removed leftover network namespace ${ns}`);
  }
  removeKubepodsCgroups();
  const links = removeContainerLogLinks(paths.podLogs);
  if (links) log(`  removed ${links} container log link(s) from /var/log/containers`);
  await step("iptables", async () => {
    const n = removeKubeChains();
    if (n) log(`  removed ${n} KUBE-*/CNI-* iptables chain(s)`);
  });

  await Promise.all([stop("kube-scheduler"), stop("kube-controller-manager")]);
  await stop("kube-apiserver");
  await Promise.all([stop("etcd"), stop("registry"), stop("s3")]);
  for (const name of [...running.keys()]) await stop(name);

  await step("bridge", async () => deleteBridge(cfg));
  restoreSysctls(paths.sysctls);
  rmSync(paths.pids, { force: true });
  log(`stopped; state kept in ${cfg.dir}`);
}

/** Processes still in the kubelet's pod cgroups (v1 hierarchies: /sys/fs/cgroup/<controller>/kubepods). */
function kubepodsPids(): number[] {
  const pids = new Set<number>();
  const walk = (dir: string) => {
    try {
      for (const pid of readFileSync(join(dir, "cgroup.procs"), "utf8").split("\n").filter(Boolean)) pids.add(Number(pid));
      for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) walk(join(dir, e.name));
    } catch {
      // not there
    }
  };
  walk("/sys/fs/cgroup/pids/kubepods");
  walk("/sys/fs/cgroup/memory/kubepods");
  return [...pids];
}

/** Removes the kubelet's (now empty) kubepods cgroups, deepest first. */
function removeKubepodsCgroups(): void {
  const root = "/sys/fs/cgroup";
  if (!existsSync(root)) return;
  for (const controller of readdirSync(root)) {
    const top = join(root, controller, "kubepods");
    if (!existsSync(top)) continue;
    const dirs: string[] = [];
    const walk = (dir: string) => {
      dirs.push(dir);
      for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) walk(join(dir, e.name));
    };
    try {
      walk(top);
    } catch {
      continue;
    }
    for (const dir of dirs.sort((a, b) => b.length - a.length)) {
      try {
        rmdirSync(dir);
      } catch {
        // busy or gone
      }
    }
  }
}

/** A supervisor that died without stopping left processes behind (recorded in run/pids.json): stop them now. */
export async function cleanLeftovers(cfg: ClusterConfig): Promise<boolean> {
  const paths = clusterPaths(cfg.dir);
  if (!existsSync(paths.pids)) return false;
  const pids = JSON.parse(readFileSync(paths.pids, "utf8")) as Record<string, number>;
  const running = new Map<Name, RunningProcess>();
  for (const [name, pid] of Object.entries(pids)) {
    if (!alive(pid) || !isOurs(pid, cfg.dir)) continue;
    running.set(name as Name, { name, pid, logFile: "", exited: new Promise(() => {}), stop: () => stopPid(pid) });
  }
  log(`cleaning up after a supervisor that did not stop cleanly (${running.size} process(es) still running)`);
  await teardown(cfg, running, { cfg, paths, pki: ensurePki(cfg, paths.pki) });
  return true;
}

/** The pid is a component of this cluster (every one names the state directory on its command line). */
function isOurs(pid: number, dir: string): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
    return cmdline.includes(dir);
  } catch {
    return false;
  }
}

async function stopPid(pid: number): Promise<void> {
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        // gone
      }
    }
  };
  signal("SIGTERM");
  for (let i = 0; i < 100 && alive(pid); i++) await sleep(100);
  if (alive(pid)) signal("SIGKILL");
}

/** Age of the supervisor's log, for status output. */
export function startedAt(cfg: ClusterConfig): Date | undefined {
  const p = clusterPaths(cfg.dir).supervisorPid;
  return existsSync(p) ? statSync(p).mtime : undefined;
}
