import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  logDir: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Resolves true once the process serves; polled until `timeoutMs`. */
  ready: () => Promise<boolean>;
  timeoutMs?: number;
}

export interface RunningProcess {
  name: string;
  pid: number;
  logFile: string;
  /** Resolves, with how it ended ("exited with 1", "exited with SIGTERM"), when the process exits. */
  exited: Promise<string>;
  stop(): Promise<void>;
}

/**
 * Starts a long-running component in its own process group, its output in `<logDir>/<name>.log`,
 * and waits until `ready()` says so. A process that exits before that fails the start with the
 * end of its log, which is nearly always the reason.
 */
export async function startProcess(spec: ProcessSpec): Promise<RunningProcess> {
  const logFile = join(spec.logDir, `${spec.name}.log`);
  // The child writes its log file itself (not through a pipe to this process): it keeps running, and
  // logging, should this process die (the cluster's supervisor cleans such leftovers up on its next start).
  const log = openSync(logFile, "a");
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    env: { ...process.env, ...spec.env },
    detached: true,
    stdio: ["ignore", log, log],
  });
  closeSync(log);
  let exited: string | undefined;
  const exitedPromise = new Promise<string>((resolve) => {
    child.once("exit", (code, signal) => resolve((exited = `exited with ${signal ?? code}`)));
    child.once("error", (err) => resolve((exited = err.message)));
  });

  const deadline = Date.now() + (spec.timeoutMs ?? 60_000);
  for (;;) {
    if (exited) throw new Error(`${spec.name} ${exited} before it was ready; see ${logFile}:\n${await tail(logFile)}`);
    if (await spec.ready().catch(() => false)) break;
    if (Date.now() > deadline) {
      await stop(child);
      throw new Error(`${spec.name} was not ready after ${spec.timeoutMs ?? 60_000} ms; see ${logFile}:\n${await tail(logFile)}`);
    }
    await sleep(100);
  }
  return { name: spec.name, pid: child.pid!, logFile, exited: exitedPromise, stop: () => stop(child) };
}

/** SIGTERM to the whole process group, SIGKILL after 10 s. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      // already gone
    }
  };
  signal("SIGTERM");
  const timer = setTimeout(() => signal("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

async function tail(file: string, lines = 30): Promise<string> {
  const { readFile } = await import("node:fs/promises");
  const text = await readFile(file, "utf8").catch(() => "");
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}
