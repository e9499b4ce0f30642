import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startContainerd, type ContainerdInfo } from "./containerd.ts";
import { startKube, type KubeInfo } from "./kube.ts";
import { bin, REPO_ROOT } from "./paths.ts";
import type { RunningProcess } from "./process.ts";
import { startRegistry, type RegistryInfo } from "./registry.ts";
import { startS3, type S3Info } from "./s3.ts";

/** Everything a test needs to reach the environment; plain data, so vitest can hand it to workers. */
export interface TestEnvInfo {
  dir: string;
  logDir: string;
  kube: KubeInfo;
  s3: S3Info;
  registry: RegistryInfo;
  authRegistry: Required<RegistryInfo>;
  containerd: ContainerdInfo;
  tools: { workerd: string; wrangler: string; wrangler3: string; node: string };
}

export interface TestEnv {
  info: TestEnvInfo;
  stop(): Promise<void>;
}

/**
 * Starts every real component on 127.0.0.1, on free ports, under one temporary directory:
 * etcd + kube-apiserver + kube-controller-manager (with this project's CRDs installed), versitygw (S3),
 * two docker-registry instances (open, and htpasswd basic auth) and containerd.
 */
export async function startEnvironment(options: { keep?: boolean } = {}): Promise<TestEnv> {
  const dir = mkdtempSync(join(process.env.FIREWORKERS_ENV_DIR ?? tmpdir(), "fireworkers-env-"));
  const logDir = join(dir, "logs");
  mkdirSync(logDir);
  const processes: RunningProcess[] = [];
  const stop = async () => {
    await Promise.all(processes.reverse().map((p) => p.stop()));
    if (!options.keep) rmSync(dir, { recursive: true, force: true });
  };
  try {
    const started = await Promise.all([
      startKube(dir, logDir),
      startS3(dir, logDir),
      startRegistry(dir, logDir, "registry", false),
      startRegistry(dir, logDir, "registry-auth", true),
      startContainerd(dir, logDir),
    ]);
    for (const s of started) processes.push(...s.processes);
    const [kube, s3, registry, authRegistry, containerd] = started;
    const info: TestEnvInfo = {
      dir,
      logDir,
      kube: kube.info,
      s3: s3.info,
      registry: registry.info,
      authRegistry: authRegistry.info as Required<RegistryInfo>,
      containerd: containerd.info,
      tools: {
        workerd: bin("workerd"),
        wrangler: bin("wrangler"),
        wrangler3: join(REPO_ROOT, "node_modules/wrangler3/bin/wrangler.js"),
        node: process.execPath,
      },
    };
    writeFileSync(join(dir, "env.json"), JSON.stringify(info, null, 2));
    return { info, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
