// Runs the real job-builder program (node apps/job-builder/src/main.ts) as the Job would, and collects
// its exit code, JSON logs and termination message.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { s3Env, type TestEnvInfo } from "@fireworkers/testenv";

export interface BuilderRun {
  code: number;
  logs: { msg: string; [k: string]: unknown }[];
  stderr: string;
  termination: string;
}

const MAIN = new URL("../main.ts", import.meta.url).pathname;

export function builderEnv(env: TestEnvInfo, extra: Record<string, string>): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "",
    ...s3Env(env.s3),
    KUBECONFIG: env.kube.kubeconfig,
    LOG_LEVEL: "info",
    ...extra,
  };
}

export async function runBuilder(env: Record<string, string>, args: string[] = []): Promise<BuilderRun> {
  const dir = mkdtempSync(join(tmpdir(), "job-builder-run-"));
  const termination = join(dir, "termination-log");
  writeFileSync(termination, "");
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { env: { ...env, TERMINATION_MESSAGE_PATH: termination }, maxBuffer: 64 << 20, timeout: 120_000 }, (err, stdout, stderr) => {
      const logs = stdout
        .split("\n")
        .filter(Boolean)
        .map((l) => {
          try {
            return JSON.parse(l);
          } catch {
            return { msg: l };
          }
        });
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, logs, stderr, termination: readFileSync(termination, "utf8") });
    });
  });
}

export function writeSpecFile(jobBuilder: object): string {
  const file = join(mkdtempSync(join(tmpdir(), "job-builder-spec-")), "jobbuilder.json");
  writeFileSync(file, JSON.stringify(jobBuilder));
  return file;
}

export function dockerConfigFile(registry: string, username: string, password: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "dockerconfig-")), "config.json");
  writeFileSync(file, JSON.stringify({ auths: { [registry]: { auth: Buffer.from(`${username}:${password}`).toString("base64") } } }));
  return file;
}

export const lastLog = (run: BuilderRun) => run.logs.at(-1) ?? { msg: "" };
