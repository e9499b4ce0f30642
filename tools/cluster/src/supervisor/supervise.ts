// The supervisor: one long-running process that owns every component of the single-node cluster as a
// child process, starts them in order (order.ts), restarts one that dies (restart-policy.ts), and on
// SIGTERM takes it all down again (teardown.ts, host-cleanup.ts) so that the next start begins clean.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { goBinary, kubectl, type RunningProcess } from "@fireworkers/testenv";
import { apiUrl, corednsRbac, crictl, registryUrl, s3Url, type Ctx } from "../components.ts";
import { clusterConfig, clusterPaths, type ClusterConfig } from "../config.ts";
import { ensureBridge, recordSysctls } from "../host.ts";
import { hasManifest, pauseImage, pushImage } from "../image.ts";
import { ensurePki, writeKubeconfig } from "../pki.ts";
import { clusterInfo, FAILED_MARK, READY_MARK, STOPPED_MARK } from "./info.ts";
import { log, startedAtMs } from "./log.ts";
import { NODE_PHASE, starters, STORAGE_PHASE, type Name } from "./order.ts";
import { preflight } from "./preflight.ts";
import { nodeReady, stalePods, until } from "./readiness.ts";
import { RESTART_DELAY_MS, RestartPolicy } from "./restart-policy.ts";
import { cleanLeftovers, teardown } from "./teardown.ts";

const K8S_VERSION = "v1.34.4";

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
  const policy = new RestartPolicy();
  const onExit = async (name: Name, proc: RunningProcess, how: string) => {
    if (stopping || running.get(name) !== proc) return;
    running.delete(name);
    log(`${name} ${how} unexpectedly; see ${proc.logFile}`);
    if (policy.onExit(Date.now()) === "give-up") {
      log("more than 10 restarts in 5 minutes: giving up, stopping the cluster");
      await shutdown(1);
      return;
    }
    await sleep(RESTART_DELAY_MS);
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
    const ready: Partial<Record<Name, string>> = {
      "kube-apiserver": `kube-apiserver ready at ${apiUrl(cfg)}`,
      registry: `registry ready at ${registryUrl(cfg)}`,
      s3: `S3 ready at ${s3Url(cfg)} (bucket ${cfg.s3.bucket})`,
      containerd: "containerd ready (CRI)",
    };
    const startLogged = (name: Name) => start(name).then(() => log(`  ${ready[name] ?? `${name} ready`}`));
    await Promise.all([
      (async () => {
        for (const name of STORAGE_PHASE.chain) await startLogged(name);
      })(),
      ...STORAGE_PHASE.beside.map(startLogged),
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

    stepLog(`${NODE_PHASE.join(", ")}`);
    const kubeletStarted = Math.floor(Date.now() / 1000) * 1000;
    await Promise.all(NODE_PHASE.map(startLogged));

    stepLog(`node ${cfg.nodeName} Ready, default service account, existing pods restarted`);
    await until(120_000, `node ${cfg.nodeName} to become Ready`, () => nodeReady(kube, cfg.nodeName));
    await until(60_000, "the default service account", async () => (await kubectl(kube, ["get", "serviceaccount", "default", "-o", "name"]), true));
    // Pods from before a restart still show their old status until the kubelet has restarted them.
    const stale = await until(60_000, "pods to be (re)started", async () => (await stalePods(kube, cfg.nodeName, kubeletStarted)).length === 0).then(
      () => [],
      () => stalePods(kube, cfg.nodeName, kubeletStarted),
    );
    if (stale.length) log(`  not Ready after 60 s (see kubectl describe): ${stale.join(", ")}`);

    const info = clusterInfo(cfg, paths, { kubectl: kube.kubectl, crictl: goBinary("crictl") }, Date.now() - startedAtMs);
    writeFileSync(paths.info, JSON.stringify(info, null, 2));
    log(`ready in ${(info.readyInMs / 1000).toFixed(1)}s`);
    console.log(READY_MARK);
  } catch (err) {
    log(`start failed: ${(err as Error).message}`);
    await shutdown(1);
  }
}
