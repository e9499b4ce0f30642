// Before anything starts: root, the Debian packages and the CNI plugins the node needs, and the Go-built
// binaries (built here if missing), so a missing piece fails at once with what to run, not halfway up.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { goBinary } from "@fireworkers/testenv";

export function preflight(): void {
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
