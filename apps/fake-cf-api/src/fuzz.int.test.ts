// The API fuzzed by schemathesis (pinned in tools/fuzz/requirements.txt, configured by
// tools/fuzz/schemathesis.toml): every operation of /openapi.json, with a real token scoped to a real
// WorkerAccount, positive and negative data, all of schemathesis's checks. The API runs as its own process
// against the real kube-apiserver and S3 of the test environment.
//
// Budget: FUZZ_SECONDS (default 300 s, FUZZ_WORKERS requests in flight, default 8) of fuzzing, with up to
// FUZZ_MAX_EXAMPLES (1,000) examples per operation so that time, not the example count, ends the run. The
// requests that reached the API (its own request counter) are printed; at least FUZZ_MIN_REQUESTS (default
// 1,000: proof that fuzzing really ran, not a speed claim) must, and none may answer 5xx. Issue 15's goal of
// 10,000 per CI run is reached on an idle 2-core machine only; the printed count is the figure to read.
// On failure, schemathesis's own report is printed: each failing check with a curl line to reproduce it.
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { REPO_ROOT, schemathesis } from "@fireworkers/testenv";
import { setupAccounts, startApiProcess, type ApiProcess } from "./test/harness.ts";

const env = inject("env");
const namespace = "api-fuzz";
const account = "f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0";
const seconds = Number(process.env.FUZZ_SECONDS ?? 300);
const minRequests = Number(process.env.FUZZ_MIN_REQUESTS ?? 1_000);
// Requests in flight: the API's latency is mostly its round trips to the apiserver, so concurrency pays.
const workers = Number(process.env.FUZZ_WORKERS ?? 8);
const maxExamples = Number(process.env.FUZZ_MAX_EXAMPLES ?? 1000);

/** Requests the API answered so far, by status class, from its Prometheus counter. */
async function answered(api: ApiProcess): Promise<{ total: number; serverErrors: number }> {
  const text = await (await fetch(`${api.url}/metrics`)).text();
  let total = 0;
  let serverErrors = 0;
  for (const line of text.split("\n")) {
    const m = /^fake_cf_api_http_requests_total\{([^}]*)\} (\d+)/.exec(line);
    if (!m) continue;
    total += Number(m[2]);
    if (/status="5\d\d"/.test(m[1]!)) serverErrors += Number(m[2]);
  }
  return { total, serverErrors };
}

describe("fuzzing the API with schemathesis", () => {
  let api: ApiProcess;
  let token: string;

  beforeAll(async () => {
    const ctx = await setupAccounts(env, namespace, [account]);
    token = ctx.tokens[account]!;
    api = await startApiProcess(env, namespace, "fake-cf-api-fuzz", { LOG_LEVEL: "warn" });
  });
  afterAll(async () => api?.stop());

  it(
    `answers ${minRequests}+ generated requests in ${seconds} s with no 5xx and no check failing`,
    async () => {
      const reportDir = mkdtempSync(join(tmpdir(), "fuzz-report-"));
      const before = await answered(api);
      const run = await new Promise<{ code: number; output: string }>((resolve) => {
        execFile(
          schemathesis(),
          [
            "--config-file",
            join(REPO_ROOT, "tools/fuzz/schemathesis.toml"),
            "run",
            `${api.url}/openapi.json`,
            "--checks",
            "all",
            "--max-time",
            String(seconds),
            "--workers",
            String(workers),
            "--max-examples",
            String(maxExamples),
            "--generation-database",
            "none",
            "--no-color",
            "--report",
            "json",
            "--report-dir",
            reportDir,
          ],
          // cwd: schemathesis keeps a .schemathesis/ cache in its working directory, not in the repository.
          { cwd: reportDir, env: { ...process.env, FUZZ_TOKEN: token, FUZZ_ACCOUNT_ID: account }, maxBuffer: 256 << 20 },
          (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, output: `${stdout}\n${stderr}` }),
        );
      });
      const after = await answered(api);
      const requests = after.total - before.total;
      const report = JSON.parse(readFileSync(join(reportDir, readdirSync(reportDir).find((f) => f.endsWith(".json"))!), "utf8")) as {
        running_time: number;
        test_cases: { generated: number };
        failures: { code: string; title: string; count: number; operations: string[] }[];
        errors: { title: string; count: number }[];
      };
      console.log(`[fuzz] ${requests} requests (${report.test_cases.generated} test cases) in ${report.running_time.toFixed(0)} s; ${after.serverErrors - before.serverErrors} 5xx`);

      // The whole report when anything failed: schemathesis prints each failing check with a curl line.
      expect(report.failures, run.output).toEqual([]);
      // "Runtime Error" is schemathesis failing inside its own generator (hypothesis internals, printed
      // with their traceback): no request was sent. Any other error (connection refused, timeout, an
      // unreadable answer) is the API's and fails the test.
      expect(report.errors.filter((e) => e.title !== "Runtime Error"), run.output).toEqual([]);
      if (report.errors.length) console.log(`[fuzz] schemathesis-internal errors (no request involved): ${JSON.stringify(report.errors)}`);
      expect(after.serverErrors - before.serverErrors).toBe(0);
      expect(requests).toBeGreaterThanOrEqual(minRequests);
    },
    (seconds + 240) * 1000,
  );
});
