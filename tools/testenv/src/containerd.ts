import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { startProcess, type RunningProcess } from "./process.ts";

export interface ContainerdInfo {
  /** containerd's gRPC socket, for `ctr -a` */
  address: string;
  namespace: string;
}

const execFileAsync = promisify(execFile);

/** Debian's containerd + runc, ctr-only (no CRI plugin), its state under `dir`. */
export async function startContainerd(dir: string, logDir: string): Promise<{ info: ContainerdInfo; processes: RunningProcess[] }> {
  const root = join(dir, "containerd");
  mkdirSync(root, { recursive: true });
  const info: ContainerdInfo = { address: join(root, "containerd.sock"), namespace: "fireworkers-test" };
  const config = `version = 2
root = "${root}/root"
state = "${root}/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "${info.address}"
[plugins."io.containerd.internal.v1.opt"]
  path = "${root}/opt"
`;
  writeFileSync(join(root, "config.toml"), config);
  const containerd = await startProcess({
    name: "containerd",
    command: "containerd",
    args: ["--config", join(root, "config.toml")],
    logDir,
    ready: async () => (await ctr(info, ["version"]), true),
  });
  return { info, processes: [containerd] };
}

/** Runs ctr against the environment's containerd; resolves to stdout. */
export async function ctr(info: ContainerdInfo, args: string[], timeoutMs = 60_000): Promise<string> {
  try {
    const { stdout } = await execFileAsync("ctr", ["-a", info.address, "-n", info.namespace, ...args], { timeout: timeoutMs, maxBuffer: 16 << 20 });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`ctr ${args.join(" ")}: ${e.stderr?.trim() || e.message}`);
  }
}
