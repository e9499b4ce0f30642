#!/usr/bin/env node
// End-to-end benchmarks on the platform `make up` runs (`make bench-e2e`), side by side in one run:
//  1. deploy-to-serving: from `wrangler deploy` returning to the new code answering through the edge proxy,
//     p50/p95 over BENCH_DEPLOYS deploys (goal p50 <= 3 s, p95 <= 5 s), broken down with the leader
//     operator's metrics (build = JobBuilder -> Job -> push; deploy-to-ready = WorkerDeployment -> bundle Ready);
//  2. serving: wrk against a hello-world worker through the platform path (edge proxy -> bundle pod's router
//     -> worker) vs bare workerd serving the same worker on 127.0.0.1 (goal >= 0.9x requests/s, p99 <= 1.2x).
// A measurement, not a test: nothing is asserted. Loopback and bridge addresses only.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { clusterConfig, clusterPaths, readPlatform, type ClusterInfo } from "@fireworkers/cluster";
import { fetchVia, kubeView, newTenant, plainProject, untilAnswers, writeProject } from "@fireworkers/e2e";
import { freePort, REPO_ROOT } from "@fireworkers/testenv";

const DEPLOYS = Number(process.env.BENCH_DEPLOYS ?? 10);
const WRK = ["-t2", "-c32", `-d${process.env.BENCH_WRK_SECONDS ?? 10}s`, "--latency"];

const cluster = JSON.parse(readFileSync(clusterPaths(clusterConfig().dir).info, "utf8")) as ClusterInfo;
const platform = readPlatform();
const kube = kubeView(cluster, platform.namespace);
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** Sum and count of a histogram on the leader operator's /metrics. */
async function leaderHistogram(name: string): Promise<{ sum: number; count: number }> {
  const leader = (await kube.get("lease", "fireworkers-operator")).spec.holderIdentity;
  const ip = (await kube.get("pod", leader)).status.podIP;
  const text = await (await fetch(`http://${ip}:8081/metrics`)).text();
  const total = (suffix: string) =>
    [...text.matchAll(new RegExp(`^${name}_${suffix}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, "gm"))].reduce((n, m) => n + Number(m[1]), 0);
  return { sum: total("sum"), count: total("count") };
}

async function deployToServing() {
  const tenant = await newTenant(cluster, platform, "bench");
  const rows: { wrangler: number; serving: number; build: number; ready: number }[] = [];
  try {
    for (let i = 0; i <= DEPLOYS; i++) {
      const dir = writeProject(plainProject("bench", `export default { fetch() { return new Response("deploy ${i}") } }\n`));
      const [b0, r0] = [await leaderHistogram("fireworkers_build_duration_seconds"), await leaderHistogram("fireworkers_deploy_to_ready_seconds")];
      const started = Date.now();
      const r = await tenant.wrangler(dir, ["deploy"]);
      if (r.code !== 0) throw new Error(r.output);
      const returned = Date.now();
      await untilAnswers(platform.edgeUrl, tenant.host("bench"), (body) => body === `deploy ${i}`, 120_000, "/");
      const serving = Date.now() - returned;
      await sleep(1500); // the operator observes Ready after the first answer; let its histograms settle
      const [b1, r1] = [await leaderHistogram("fireworkers_build_duration_seconds"), await leaderHistogram("fireworkers_deploy_to_ready_seconds")];
      const build = b1.count > b0.count ? ((b1.sum - b0.sum) / (b1.count - b0.count)) * 1000 : NaN;
      const ready = r1.count > r0.count ? ((r1.sum - r0.sum) / (r1.count - r0.count)) * 1000 : NaN;
      // The first deploy also creates the account's Deployment/Service/Ingress: a warm-up, not counted.
      if (i > 0) rows.push({ wrangler: returned - started, serving, build, ready });
      console.log(`  deploy ${i}${i === 0 ? " (warm-up)" : ""}: wrangler ${s(returned - started)}, serving after ${s(serving)} (build ${s(build)}, deploy-to-ready ${s(ready)})`);
    }
  } finally {
    await tenant.remove();
  }
  const col = (k: keyof (typeof rows)[0]) => rows.map((r) => r[k]).filter((x) => Number.isFinite(x));
  console.log(`\ndeploy-to-serving over ${rows.length} deploys (wrangler deploy returned -> new code answers):`);
  console.log(`  p50 ${s(pct(col("serving"), 50))}  p95 ${s(pct(col("serving"), 95))}   (goal p50 <= 3 s, p95 <= 5 s)`);
  console.log(`  breakdown (p50): API (wrangler deploy) ${s(pct(col("wrangler"), 50))}; operator + build Job + push ${s(pct(col("build"), 50))};`);
  console.log(`    rollout (deploy-to-ready minus build) ${s(pct(col("ready"), 50) - pct(col("build"), 50))}; deploy-to-ready counts from the WorkerDeployment's creation,`);
  console.log("    inside the wrangler command; build times come from second-resolution Job/JobBuilder timestamps.");
}

interface WrkResult {
  rps: number;
  p99Ms: number;
}
function wrk(url: string, host?: string): WrkResult {
  const out = execFileSync("wrk", [...WRK, ...(host ? ["-H", `Host: ${host}`] : []), url], { encoding: "utf8" });
  const rps = Number(out.match(/Requests\/sec:\s+([0-9.]+)/)![1]);
  const [, v, unit] = out.match(/\s99%\s+([0-9.]+)(us|ms|s)/)!;
  const p99Ms = Number(v) * ({ us: 0.001, ms: 1, s: 1000 } as Record<string, number>)[unit!]!;
  const errors = out.match(/Non-2xx or 3xx responses: (\d+)/);
  if (errors) console.log(`  (${errors[1]} non-2xx answers from ${url})`);
  return { rps, p99Ms };
}

async function serving() {
  const body = `export default { fetch() { return new Response("hello world") } }\n`;
  const tenant = await newTenant(cluster, platform, "wrk");
  const workerd = join(REPO_ROOT, "node_modules/.bin/workerd");
  const dir = mkdtempSync(join(tmpdir(), "bench-workerd-"));
  const port = await freePort();
  writeFileSync(join(dir, "index.js"), body);
  writeFileSync(
    join(dir, "config.capnp"),
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "main", worker = (modules = [(name = "index.js", esModule = embed "index.js")], compatibilityDate = "2025-01-01"))],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
`,
  );
  const bare = spawn(workerd, ["serve", join(dir, "config.capnp")], { stdio: "ignore" });
  try {
    const r = await tenant.wrangler(writeProject(plainProject("hello", body)), ["deploy"]);
    if (r.code !== 0) throw new Error(r.output);
    await untilAnswers(platform.edgeUrl, tenant.host("hello"), (b) => b === "hello world");
    for (let i = 0; i < 50 && (await fetch(`http://127.0.0.1:${port}/`).then((x) => x.status, () => 0)) !== 200; i++) await sleep(100);
    await fetchVia(platform.edgeUrl, tenant.host("hello"));
    const direct = wrk(`http://127.0.0.1:${port}/`);
    const platformPath = wrk(`${platform.edgeUrl}/`, tenant.host("hello"));
    console.log(`\nserving a hello-world worker (wrk ${WRK.join(" ")}):`);
    console.log(`  bare workerd (127.0.0.1):                 ${direct.rps.toFixed(0)} req/s, p99 ${direct.p99Ms.toFixed(2)} ms`);
    console.log(`  platform (edge proxy -> pod router -> worker): ${platformPath.rps.toFixed(0)} req/s, p99 ${platformPath.p99Ms.toFixed(2)} ms`);
    console.log(`  ratio: ${(platformPath.rps / direct.rps).toFixed(2)}x requests/s (goal >= 0.9), ${(platformPath.p99Ms / direct.p99Ms).toFixed(2)}x p99 (goal <= 1.2)`);
  } finally {
    bare.kill();
    await tenant.remove();
  }
}

await deployToServing();
await serving();
