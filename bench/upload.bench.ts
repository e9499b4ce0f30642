#!/usr/bin/env node
// Upload path benchmark (`make bench`): a 25 MiB multi-module upload through fake-cf-api (a real API process,
// streaming to S3) versus direct S3 PutObjects of the same bytes, on the same versitygw: the same objects
// the API stores (one per module, the fair comparison), and all bytes as one object. Prints the throughput
// ratios (goal >= 0.8), the API's RSS growth during the upload (goal <= 50 MiB) and its apiserver requests.
// A measurement, not a test: nothing is asserted.
import { readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { startEnvironment } from "@fireworkers/testenv";
import { setupAccounts, startApiProcess } from "../apps/fake-cf-api/src/test/harness.ts";
import { uploadForm, type Part } from "../apps/fake-cf-api/src/test/requests.ts";

const MiB = 1 << 20;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const account = "0123456789abcdef0123456789abcdef";

const rssOf = (pid: number) => {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith("VmRSS:"))!;
  return Number(line.split(/\s+/)[1]) * 1024;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mib = (bytes: number) => (bytes / MiB).toFixed(1);

// 25 MiB in six modules: an entry point, four 6 MiB data modules and one 1 MiB text module.
const entry = "import a from './a.bin'; export default { fetch() { return new Response(String(a.byteLength)) } }\n";
const modules: Part[] = [
  { name: "index.js", type: "application/javascript+module", content: entry },
  ...["a", "b", "c", "d"].map((n) => ({ name: `${n}.bin`, type: "application/octet-stream", content: randomBytes(6 * MiB) })),
  { name: "text.txt", type: "text/plain", content: randomBytes(MiB / 2).toString("hex") },
];
const totalBytes = modules.reduce((s, m) => s + Buffer.byteLength(m.content), 0);
const allBytes = Buffer.concat(modules.map((m) => Buffer.from(m.content)));
const metadata = { main_module: "index.js", bindings: [], compatibility_date: "2025-01-01" };

const env = await startEnvironment();
try {
  const namespace = "bench-upload";
  const ctx = await setupAccounts(env.info, namespace, [account]);
  // API_ENV='{"NODE_OPTIONS":"--cpu-prof"}' passes extra settings to the API process (e.g. to profile it).
  const api = await startApiProcess(env.info, namespace, "fake-cf-api-bench", { LOG_LEVEL: "warn", ...JSON.parse(process.env.API_ENV ?? "{}") });
  const upload = async (script: string, parts = modules) => {
    const started = performance.now();
    const res = await fetch(`${api.url}/client/v4/accounts/${account}/workers/scripts/${script}`, {
      method: "PUT",
      headers: { authorization: `Bearer ${ctx.tokens[account]}` },
      body: uploadForm(metadata, parts),
    });
    const body = (await res.json()) as { success: boolean; errors: unknown };
    if (!body.success) throw new Error(`upload failed: ${JSON.stringify(body.errors)}`);
    return performance.now() - started;
  };
  const s3Put = async (i: number) => {
    const started = performance.now();
    await ctx.s3.send(new PutObjectCommand({ Bucket: env.info.s3.bucket, Key: `bench/direct-${i}.bin`, Body: allBytes }));
    return performance.now() - started;
  };
  // Apples to apples: the same objects the API stores (one per module), PutObject each, as many at once as
  // the API streams (UPLOAD_CONCURRENCY, default 2). The API also writes a small metadata.json.
  const s3PutModules = async (i: number) => {
    const started = performance.now();
    const queue = [...modules];
    const worker = async () => {
      for (let m = queue.shift(); m; m = queue.shift()) {
        await ctx.s3.send(new PutObjectCommand({ Bucket: env.info.s3.bucket, Key: `bench/direct-${i}/${m.name}`, Body: Buffer.from(m.content), ContentType: m.type }));
      }
    };
    await Promise.all(Array.from({ length: 2 }, worker));
    return performance.now() - started;
  };

  // Warm both paths (connections, JIT), then let the API settle before its baseline.
  await upload("warmup");
  await s3Put(-1);
  await s3PutModules(-1);
  await new Promise((r) => setTimeout(r, 1000));
  const baseline = rssOf(api.pid);
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, rssOf(api.pid))), 20);

  const auditStart = readFileSync(env.info.kube.auditLog, "utf8").length;
  const tinyMs: number[] = [];
  const apiMs: number[] = [];
  const s3Ms: number[] = [];
  const s3ModulesMs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    // Interleaved, so that both paths see the same machine load.
    tinyMs.push(await upload(`tiny-${i}`, modules.slice(0, 1)));
    apiMs.push(await upload(`bench-${i}`));
    s3Ms.push(await s3Put(i));
    s3ModulesMs.push(await s3PutModules(i));
  }
  clearInterval(sampler);
  // Only the API talks to the apiserver during the runs (the benchmark reaches S3 directly).
  await new Promise((r) => setTimeout(r, 1500)); // the audit log is written in batches
  const audit = readFileSync(env.info.kube.auditLog, "utf8").slice(auditStart).trim().split("\n").filter(Boolean).map((l) => JSON.parse(l));
  const apiRequests = audit.filter((e) => e.stage === "ResponseComplete" && String(e.userAgent).startsWith("fireworkers/fake-cf-api") && e.objectRef?.namespace === namespace);
  const byVerb = new Map<string, number>();
  for (const e of apiRequests) {
    const key = `${e.verb} ${e.objectRef.resource}${e.objectRef.subresource ? "/" + e.objectRef.subresource : ""}`;
    byVerb.set(key, (byVerb.get(key) ?? 0) + 1);
  }
  peak = Math.max(peak, rssOf(api.pid));
  await api.stop();

  const rate = (ms: number[]) => totalBytes / MiB / (median(ms) / 1000);
  const apiRate = rate(apiMs);
  console.log(`upload: ${mib(totalBytes)} MiB in ${modules.length} modules, ${RUNS} runs each, medians`);
  console.log(`  through fake-cf-api (PUT script, streamed to S3, CRs written): ${median(apiMs).toFixed(0)} ms  ${apiRate.toFixed(1)} MiB/s`);
  console.log(`  direct S3, the same ${modules.length} objects (PutObject, 2 at once):      ${median(s3ModulesMs).toFixed(0)} ms  ${rate(s3ModulesMs).toFixed(1)} MiB/s`);
  console.log(`  direct S3, all bytes as one PutObject:                        ${median(s3Ms).toFixed(0)} ms  ${rate(s3Ms).toFixed(1)} MiB/s`);
  console.log(`  throughput ratio API / direct, same objects: ${(apiRate / rate(s3ModulesMs)).toFixed(2)}  (goal >= 0.8); vs one object: ${(apiRate / rate(s3Ms)).toFixed(2)}`);
  const s3Rate = rate(s3ModulesMs);
  // The fixed cost of any upload (auth, the WorkerScript/WorkerVersion/WorkerDeployment writes), measured
  // with a one-module upload, apart from the cost of moving the bytes.
  const streamMs = Math.max(1, median(apiMs) - median(tinyMs));
  console.log(`  fixed cost of an upload (one tiny module): ${median(tinyMs).toFixed(0)} ms; streaming alone: ${(totalBytes / MiB / (streamMs / 1000)).toFixed(1)} MiB/s, ratio ${(totalBytes / MiB / (streamMs / 1000) / s3Rate).toFixed(2)}`);
  console.log(`  apiserver requests per upload: ${(apiRequests.length / (2 * RUNS)).toFixed(1)} (${[...byVerb].map(([k, n]) => `${k} ${(n / (2 * RUNS)).toFixed(1)}`).join(", ")})`);
  console.log(`  API RSS: ${mib(baseline)} MiB before, ${mib(peak)} MiB peak; growth ${mib(peak - baseline)} MiB  (goal <= 50 MiB)`);
} finally {
  await env.stop();
}
