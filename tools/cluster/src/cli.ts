#!/usr/bin/env node
// The single-node cluster's front door (make up-cluster / make down):
//   up         start it in the background (a detached supervisor), show progress, print how to use it
//   down       stop it and everything it left on the host; state is kept, so the next `up` is fast
//   status     is it running, and where
//   supervise  run the supervisor in the foreground (Ctrl-C stops it all)
//   reset      down, then delete the state directory (etcd data, images, PKI)
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, rmSync, statSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { probe } from "@fireworkers/testenv";
import { clusterConfig, clusterPaths } from "./config.ts";
import { alive } from "./host.ts";
import { cleanLeftovers, FAILED_MARK, READY_MARK, STOPPED_MARK, supervise, type ClusterInfo } from "./supervisor/index.ts";

const cfg = clusterConfig();
const paths = clusterPaths(cfg.dir);

function supervisorPid(): number | undefined {
  if (!existsSync(paths.supervisorPid)) return undefined;
  const pid = Number(readFileSync(paths.supervisorPid, "utf8"));
  return pid && alive(pid) ? pid : undefined;
}

function readInfo(): ClusterInfo | undefined {
  return existsSync(paths.info) ? (JSON.parse(readFileSync(paths.info, "utf8")) as ClusterInfo) : undefined;
}

/** Prints the supervisor's log from `offset` on as it grows, until a line holds one of `marks` or `pid` exits. */
async function follow(offset: number, marks: string[], pid: number, timeoutMs: number): Promise<string | undefined> {
  const fd = openSync(paths.supervisorLog, "r");
  const buf = Buffer.alloc(64 << 10);
  let pending = "";
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, offset);
      if (n > 0) {
        offset += n;
        pending += buf.subarray(0, n).toString("utf8");
        const lines = pending.split("\n");
        pending = lines.pop()!;
        for (const line of lines) {
          const mark = marks.find((m) => line.includes(m));
          if (mark) return mark;
          console.log(line);
        }
        continue;
      }
      if (!alive(pid)) return undefined;
      if (Date.now() > deadline) return "timeout";
      await sleep(150);
    }
  } finally {
    closeSync(fd);
  }
}

function printInfo(info: ClusterInfo): void {
  console.log(`
fireworkers single-node cluster is up (node ${info.nodeName}, ${info.nodeIp}; state in ${info.dir})

  export KUBECONFIG=${info.kubeconfig}
  kubectl:      ${info.kubectl} get nodes
  API server:   ${info.server}
  registry:     ${info.registryUrl}   (images: ${info.registry}/<repo>:<tag>, pullable by pods, plain HTTP)
  S3:           ${info.s3.endpoint}   (bucket ${info.s3.bucket}, versitygw; local-only key ${info.s3.accessKeyId})
  edge proxy:   ${info.edgeUrl}   (stands in for an ingress controller: Ingresses of class ${info.edgeIngressClass}, by Host)
  pods:         ${info.podCidr} on the bridge, reachable from this machine
  services:     ${info.serviceCidr} (kube-proxy, iptables), reachable from this machine; DNS ${info.dns} (${info.clusterDomain})
  crictl:       ${info.crictl} --runtime-endpoint unix://${info.containerdSocket} ps
  logs:         ${info.logs}
  as JSON:      ${paths.info}

  make down stops it.`);
}

async function up(): Promise<number> {
  const running = supervisorPid();
  const info = readInfo();
  if (running && info && (await probe(`${info.server}/readyz`).catch(() => 0)) !== 0) {
    console.log(`[cluster] already running (supervisor pid ${running})`);
    printInfo(info);
    return 0;
  }
  mkdirSync(paths.logs, { recursive: true });
  const offset = existsSync(paths.supervisorLog) ? statSync(paths.supervisorLog).size : 0;
  let pid = running;
  if (!pid) {
    const out = openSync(paths.supervisorLog, "a");
    const child = spawn(process.execPath, [import.meta.filename, "supervise"], { detached: true, stdio: ["ignore", out, out] });
    closeSync(out);
    child.unref();
    pid = child.pid!;
    console.log(`[cluster] supervisor started (pid ${pid}, log ${paths.supervisorLog})`);
  } else {
    console.log(`[cluster] supervisor already starting (pid ${pid}); following its progress`);
  }
  const mark = await follow(offset, [READY_MARK, FAILED_MARK, STOPPED_MARK], pid, 20 * 60_000);
  if (mark === READY_MARK) {
    printInfo(readInfo()!);
    return 0;
  }
  console.error(`[cluster] start failed (${mark ?? "supervisor exited"}); logs in ${paths.logs}`);
  return 1;
}

async function down(): Promise<number> {
  const pid = supervisorPid();
  if (pid) {
    const offset = statSync(paths.supervisorLog).size;
    process.kill(pid, "SIGTERM");
    const mark = await follow(offset, [STOPPED_MARK, FAILED_MARK], pid, 180_000);
    if (mark === "timeout") {
      console.error(`[cluster] supervisor ${pid} did not stop within 180 s: killing it and cleaning up`);
      process.kill(pid, "SIGKILL");
    } else {
      return 0;
    }
  }
  if (!(await cleanLeftovers(cfg))) console.log("[cluster] not running");
  rmSync(paths.supervisorPid, { force: true });
  return 0;
}

async function status(): Promise<number> {
  const pid = supervisorPid();
  const info = readInfo();
  if (!pid) {
    console.log(`[cluster] not running (state in ${cfg.dir})`);
    return 3;
  }
  if (!info) {
    console.log(`[cluster] starting (supervisor pid ${pid}); progress in ${paths.supervisorLog}`);
    return 0;
  }
  printInfo(info);
  return 0;
}

const command = process.argv[2] ?? "up";
switch (command) {
  case "up":
    process.exitCode = await up();
    break;
  case "down":
    process.exitCode = await down();
    break;
  case "status":
    process.exitCode = await status();
    break;
  case "supervise":
    await supervise(cfg);
    break;
  case "reset":
    await down();
    rmSync(cfg.dir, { recursive: true, force: true });
    console.log(`[cluster] removed ${cfg.dir}`);
    break;
  default:
    console.error("usage: cli.ts up|down|status|supervise|reset");
    process.exitCode = 2;
}
