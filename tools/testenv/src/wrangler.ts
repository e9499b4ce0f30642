// Runs the real wrangler CLI the way a CI job would: non-interactive, no telemetry, a fresh HOME (no login,
// no cached account), and only the three variables that point it at a fireworkers API.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "./paths.ts";

export const WRANGLER_4 = join(REPO_ROOT, "node_modules/wrangler/bin/wrangler.js");
export const WRANGLER_3 = join(REPO_ROOT, "node_modules/wrangler3/bin/wrangler.js");

export interface WranglerRun {
  code: number;
  output: string;
}

export interface WranglerOptions {
  /** The API's base URL without /client/v4. */
  apiUrl: string;
  token: string;
  accountId: string;
  cwd: string;
  args: string[];
  /** Standard input (e.g. a secret's value for `secret put`). */
  input?: string;
  /** wrangler's bin script; default the pinned wrangler 4. */
  script?: string;
  timeoutMs?: number;
}

// eslint-disable-next-line no-control-regex -- stripping terminal colour codes is the point
const ANSI = /\u001b\[[0-9;]*m/g;

export function runWrangler(opts: WranglerOptions): Promise<WranglerRun> {
  const home = mkdtempSync(join(tmpdir(), "wrangler-home-"));
  mkdirSync(join(home, ".config"), { recursive: true });
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [opts.script ?? WRANGLER_4, ...opts.args],
      {
        cwd: opts.cwd,
        timeout: opts.timeoutMs ?? 90_000,
        maxBuffer: 16 << 20,
        env: {
          PATH: process.env.PATH,
          HOME: home,
          XDG_CONFIG_HOME: join(home, ".config"),
          CLOUDFLARE_API_BASE_URL: `${opts.apiUrl}/client/v4`,
          CLOUDFLARE_API_TOKEN: opts.token,
          CLOUDFLARE_ACCOUNT_ID: opts.accountId,
          WRANGLER_SEND_METRICS: "false",
          WRANGLER_SEND_ERROR_REPORTS: "false",
          WRANGLER_HIDE_BANNER: "true",
          DO_NOT_TRACK: "1",
          CI: "true",
          FORCE_COLOR: "0",
        },
      },
      (err, stdout, stderr) => {
        rmSync(home, { recursive: true, force: true });
        const code = err ? ((err as { code?: number }).code ?? 1) : 0;
        resolve({ code: typeof code === "number" ? code : 1, output: `${stdout}\n${stderr}`.replace(ANSI, "") });
      },
    );
    child.stdin!.end(opts.input ?? "");
  });
}
