// Vitest global setup of the e2e project: the single-node cluster and the platform on it. One that is
// already running (`make e2e` runs `make up` first) is used and left running; otherwise it is started here
// and stopped after the run, unless FIREWORKERS_KEEP_CLUSTER=1. The platform (dist/local/platform.json) is
// brought up with platform/up.ts when missing.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { clusterConfig, clusterPaths } from "./config.ts";
import { readPlatform, type Platform } from "./platform/platform.ts";
import type { ClusterInfo } from "./supervisor/index.ts";

declare module "vitest" {
  export interface ProvidedContext {
    cluster: ClusterInfo;
    platform: Platform;
  }
}

const cli = join(import.meta.dirname, "cli.ts");
const LOCAL = join(import.meta.dirname, "../../../dist/local");

export default async function setup(project: TestProject) {
  const paths = clusterPaths(clusterConfig().dir);
  const wasRunning = execStatus() === 0 && existsSync(paths.info);
  if (!wasRunning) execFileSync(process.execPath, [cli, "up"], { stdio: "inherit" });
  const info = JSON.parse(readFileSync(paths.info, "utf8")) as ClusterInfo;
  project.provide("cluster", info);
  if (!wasRunning || !existsSync(join(LOCAL, "platform.json"))) execFileSync(process.execPath, [join(import.meta.dirname, "platform/up.ts")], { stdio: "inherit" });
  project.provide("platform", readPlatform());
  return () => {
    if (!wasRunning && process.env.FIREWORKERS_KEEP_CLUSTER !== "1") execFileSync(process.execPath, [cli, "down"], { stdio: "inherit" });
  };
}

function execStatus(): number {
  try {
    execFileSync(process.execPath, [cli, "status"], { stdio: "ignore" });
    return 0;
  } catch (err) {
    return (err as { status?: number }).status ?? 1;
  }
}
