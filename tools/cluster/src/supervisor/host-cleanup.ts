// What the node leaves on the host once its processes are gone: container processes outside our
// control (shims, processes in kubepods cgroups), mounts under the state directory, network namespaces,
// kubepods cgroups, container log links and kube-proxy's iptables chains. Run by teardown.ts after
// containerd stopped; every step is best-effort and logs what it removed.
import { existsSync, readdirSync, readFileSync, rmdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { ClusterConfig, clusterPaths } from "../config.ts";
import { leftoverNetns, pidsWithCmdline, removeContainerLogLinks, removeKubeChains, unmountUnder } from "../host.ts";
import { log } from "./log.ts";

export async function cleanHost(cfg: ClusterConfig, paths: ReturnType<typeof clusterPaths>): Promise<void> {
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
  try {
    const n = removeKubeChains();
    if (n) log(`  removed ${n} KUBE-*/CNI-* iptables chain(s)`);
  } catch (err) {
    log(`  iptables: ${(err as Error).message.split("\n")[0]}`);
  }
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
