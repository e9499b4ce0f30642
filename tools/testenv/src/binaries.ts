import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./paths.ts";

export type GoBinary =
  | "etcd"
  | "kube-apiserver"
  | "kube-controller-manager"
  | "kubectl"
  | "versitygw"
  // the single-node cluster's (scripts/go-tools.sh --node)
  | "kube-scheduler"
  | "kubelet"
  | "kube-proxy"
  | "crictl"
  | "coredns";

const nodeBinaries: ReadonlySet<GoBinary> = new Set(["kube-scheduler", "kubelet", "kube-proxy", "crictl", "coredns"]);

/**
 * Finds a Go-built binary, in this order (the same precedence as controller-runtime's envtest):
 *   1. TEST_ASSET_<NAME> (e.g. TEST_ASSET_KUBE_APISERVER=/opt/k8s/kube-apiserver)
 *   2. a directory in FIREWORKERS_ASSETS or KUBEBUILDER_ASSETS holding the binary
 *   3. the cache of scripts/go-tools.sh, building it from the Go module proxy on first use
 */
export function goBinary(name: GoBinary): string {
  const own = process.env[`TEST_ASSET_${name.toUpperCase().replaceAll("-", "_")}`];
  if (own) return mustExist(own);
  for (const dir of [process.env.FIREWORKERS_ASSETS, process.env.KUBEBUILDER_ASSETS]) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  const dirs = goToolDirs(nodeBinaries.has(name));
  const dir =
    name === "etcd"
      ? dirs.ETCD_BIN_DIR
      : name === "versitygw"
        ? dirs.VERSITYGW_BIN_DIR
        : name === "crictl"
          ? dirs.CRICTL_BIN_DIR
          : name === "coredns"
            ? dirs.COREDNS_BIN_DIR
            : dirs.K8S_BIN_DIR;
  return mustExist(join(dir!, name));
}

const cached = new Map<boolean, Record<string, string>>();

function goToolDirs(node: boolean): Record<string, string> {
  const known = cached.get(node);
  if (known) return known;
  const dirs = Object.fromEntries(
    execFileSync(join(REPO_ROOT, "scripts/go-tools.sh"), node ? ["--node"] : [], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] })
      .trim()
      .split("\n")
      .map((line) => line.split("=", 2) as [string, string]),
  );
  cached.set(node, dirs);
  return dirs;
}

function mustExist(path: string): string {
  if (!existsSync(path)) throw new Error(`binary not found: ${path}`);
  return path;
}
