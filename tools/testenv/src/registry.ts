import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "./ports.ts";
import { probe } from "./probe.ts";
import { startProcess, type RunningProcess } from "./process.ts";

export interface RegistryInfo {
  /** e.g. http://127.0.0.1:5000 */
  url: string;
  /** host:port, as image references name it */
  host: string;
  username?: string;
  password?: string;
}

/**
 * Debian's docker-registry (distribution 2.8), optionally with htpasswd basic auth, on `addr`
 * (host:port; default a free port on 127.0.0.1). Its data lives in `<dir>/<name>/data`.
 */
export async function startRegistry(
  dir: string,
  logDir: string,
  name: string,
  auth: boolean,
  addr?: string,
): Promise<{ info: RegistryInfo; processes: RunningProcess[] }> {
  const root = join(dir, name);
  mkdirSync(join(root, "data"), { recursive: true });
  const host = addr ?? `127.0.0.1:${await freePort()}`;
  const info: RegistryInfo = { url: `http://${host}`, host };
  const config: Record<string, unknown> = {
    version: 0.1,
    log: { level: "warn" },
    storage: { cache: { blobdescriptor: "inmemory" }, filesystem: { rootdirectory: join(root, "data") }, delete: { enabled: true } },
    http: { addr: host, secret: randomBytes(16).toString("hex") },
    health: { storagedriver: { enabled: false } },
  };
  if (auth) {
    info.username = "fireworkers";
    info.password = randomBytes(12).toString("hex");
    // distribution only accepts bcrypt entries (-B).
    const line = execFileSync("htpasswd", ["-Bbn", info.username, info.password], { encoding: "utf8" });
    writeFileSync(join(root, "htpasswd"), line);
    config.auth = { htpasswd: { realm: "fireworkers-test", path: join(root, "htpasswd") } };
  }
  // JSON is YAML: no YAML writer needed for the config.
  writeFileSync(join(root, "config.yml"), JSON.stringify(config));
  const registry = await startProcess({
    name,
    command: "docker-registry",
    args: ["serve", join(root, "config.yml")],
    logDir,
    ready: async () => [200, 401].includes(await probe(`${info.url}/v2/`)),
  });
  return { info, processes: [registry] };
}
