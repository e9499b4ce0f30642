// Stopping the cluster: the components in the reverse of their start order, with the host cleanup where
// it belongs (pod sandboxes through CRI while containerd still runs; mounts, cgroups and iptables once it
// is gone), and the same for what a supervisor that died without stopping left running.
import { existsSync, readFileSync, rmSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import type { RunningProcess } from "@fireworkers/testenv";
import { cleanupKubeProxy, crictl, type Ctx } from "../components.ts";
import { clusterPaths, type ClusterConfig } from "../config.ts";
import { alive, deleteBridge, restoreSysctls } from "../host.ts";
import { ensurePki } from "../pki.ts";
import { cleanHost } from "./host-cleanup.ts";
import { log } from "./log.ts";
import type { Name } from "./order.ts";

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
  await cleanHost(cfg, paths);

  await Promise.all([stop("kube-scheduler"), stop("kube-controller-manager")]);
  await stop("kube-apiserver");
  await Promise.all([stop("etcd"), stop("registry"), stop("s3")]);
  for (const name of [...running.keys()]) await stop(name);

  await step("bridge", async () => deleteBridge(cfg));
  restoreSysctls(paths.sysctls);
  rmSync(paths.pids, { force: true });
  log(`stopped; state kept in ${cfg.dir}`);
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
