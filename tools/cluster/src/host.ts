// What the cluster changes on the host outside its state directory, and how it is undone:
// the bridge, a few sysctls, mounts, network namespaces, iptables chains.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, readlinkSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ClusterConfig } from "./config.ts";

const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

/**
 * Sysctls that the cluster sets (ip_forward, bridge netfilter), or that the kubelet and kube-proxy set
 * on start (the kubelet's "kernel defaults"; route_localnet). Their values before the first start are
 * recorded and put back by `down`.
 */
const SYSCTLS = [
  "net/ipv4/ip_forward",
  "net/bridge/bridge-nf-call-iptables",
  "net/ipv4/conf/all/route_localnet",
  "kernel/panic",
  "kernel/panic_on_oops",
  "vm/overcommit_memory",
  "vm/panic_on_oom",
];

export function recordSysctls(file: string): void {
  if (existsSync(file)) return; // recorded by a start that was not stopped cleanly: keep the original values
  const values: Record<string, string> = {};
  for (const key of SYSCTLS) {
    const path = join("/proc/sys", key);
    if (existsSync(path)) values[key] = readFileSync(path, "utf8").trim();
  }
  writeFileSync(file, JSON.stringify(values, null, 2));
}

export function restoreSysctls(file: string): void {
  if (!existsSync(file)) return;
  const values = JSON.parse(readFileSync(file, "utf8")) as Record<string, string>;
  for (const [key, value] of Object.entries(values)) {
    try {
      writeFileSync(join("/proc/sys", key), value);
    } catch {
      // not writable here: leave it
    }
  }
  rmSync(file);
}

export function setSysctl(key: string, value: string): void {
  writeFileSync(join("/proc/sys", key), value);
}

/**
 * The bridge the CNI bridge plugin attaches pods to, made before anything starts so that its address
 * (the node IP) exists for the API server, registry, kubelet and DNS to listen on. The plugin finds it
 * with the gateway address already set and uses it as is.
 */
export function ensureBridge(cfg: ClusterConfig): void {
  const prefix = cfg.podCidr.split("/")[1];
  if (!existsSync(`/sys/class/net/${cfg.bridge}`)) run("ip", ["link", "add", cfg.bridge, "type", "bridge"]);
  const addrs = run("ip", ["-4", "-o", "addr", "show", "dev", cfg.bridge]);
  if (!addrs.includes(` ${cfg.nodeIp}/${prefix} `)) run("ip", ["addr", "add", `${cfg.nodeIp}/${prefix}`, "dev", cfg.bridge]);
  run("ip", ["link", "set", cfg.bridge, "up"]);
  // ClusterIPs are virtual: until kube-proxy has written a Service's rules, a packet to it would follow
  // the default route and leave the machine. Routed to the bridge, it stays here whatever happens.
  run("ip", ["route", "replace", cfg.serviceCidr, "dev", cfg.bridge]);
  setSysctl("net/ipv4/ip_forward", "1"); // pod -> ClusterIP -> pod on the same bridge is routed
  if (existsSync("/proc/sys/net/bridge/bridge-nf-call-iptables")) setSysctl("net/bridge/bridge-nf-call-iptables", "1");
  else throw new Error("br_netfilter is not loaded (no /proc/sys/net/bridge): run `modprobe br_netfilter`");
}

/** Deletes the bridge; the veths of pods are gone once their sandboxes are removed. */
export function deleteBridge(cfg: ClusterConfig): void {
  if (existsSync(`/sys/class/net/${cfg.bridge}`)) run("ip", ["link", "del", cfg.bridge]);
}

/** Mount points under any of `prefixes`, deepest first (kubelet volumes, sandbox /dev/shm, rootfs). */
export function mountsUnder(prefixes: string[]): string[] {
  const points = readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .map((line) => line.split(" ")[4])
    .filter((p): p is string => !!p)
    .map((p) => p.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))))
    .filter((p) => prefixes.some((prefix) => p === prefix || p.startsWith(`${prefix}/`)));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

/** Unmounts everything under the prefixes (lazily if busy); returns what was unmounted. */
export function unmountUnder(prefixes: string[]): string[] {
  const points = mountsUnder(prefixes);
  for (const point of points) {
    try {
      run("umount", [point]);
    } catch {
      try {
        run("umount", ["-l", point]);
      } catch {
        // already gone with its parent
      }
    }
  }
  return points;
}

/** Network namespaces that containerd's CRI made (/var/run/netns/cni-*) and that no sandbox removed. */
export function leftoverNetns(): string[] {
  const dir = "/var/run/netns";
  return existsSync(dir) ? readdirSync(dir).filter((n) => n.startsWith("cni-")).map((n) => join(dir, n)) : [];
}

/** Processes whose command line contains `needle` (read from /proc; used to find our containerd shims). */
export function pidsWithCmdline(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " ");
      if (cmdline.includes(needle)) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids.filter((pid) => pid !== process.pid);
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Removes every KUBE-* and CNI-* chain and the rules jumping to them, in IPv4 and IPv6, all tables:
 * kube-proxy's leftovers if any, the kubelet's own (KUBE-FIREWALL, KUBE-KUBELET-CANARY,
 * KUBE-IPTABLES-HINT), which `kube-proxy --cleanup` does not touch, and the portmap plugin's.
 * Returns how many chains went.
 */
export function removeKubeChains(): number {
  let removed = 0;
  for (const [save, restore] of [
    ["iptables-save", "iptables-restore"],
    ["ip6tables-save", "ip6tables-restore"],
  ] as const) {
    let dump: string;
    try {
      dump = run(save, []);
    } catch {
      continue;
    }
    const script: string[] = [];
    let table = "";
    let body: string[] = [];
    const chains: string[] = [];
    const flush = () => {
      if (table && (body.length || chains.length)) {
        script.push(`*${table}`, ...body, ...chains.map((c) => `-F ${c}`), ...chains.map((c) => `-X ${c}`), "COMMIT");
        removed += chains.length;
      }
      body = [];
      chains.length = 0;
    };
    for (const line of dump.split("\n")) {
      if (line.startsWith("*")) {
        flush();
        table = line.slice(1);
      } else if (/^:(KUBE|CNI)-/.test(line)) {
        chains.push(line.slice(1).split(" ")[0]!);
      } else if (/^-A /.test(line) && !/^-A (KUBE|CNI)-/.test(line) && / (-j|--jump|-g|--goto) (KUBE|CNI)-/.test(line)) {
        body.push(`-D ${line.slice(3)}`);
      }
    }
    flush();
    if (script.length) execFileSync(restore, ["--noflush"], { input: `${script.join("\n")}\n`, stdio: ["pipe", "pipe", "pipe"] });
  }
  return removed;
}

/**
 * The kubelet links every container's log into /var/log/containers (a fixed path) and removes the link
 * with the container; containers removed while it is stopped leave links behind. Removes the links
 * that point under `podLogsDir`; returns how many.
 */
export function removeContainerLogLinks(podLogsDir: string): number {
  const dir = "/var/log/containers";
  if (!existsSync(dir)) return 0;
  let n = 0;
  for (const name of readdirSync(dir)) {
    const link = join(dir, name);
    try {
      if (readlinkSync(link).startsWith(`${podLogsDir}/`)) {
        unlinkSync(link);
        n++;
      }
    } catch {
      // not a link
    }
  }
  return n;
}
