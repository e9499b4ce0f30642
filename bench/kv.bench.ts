#!/usr/bin/env node
// Workers KV on the platform `make up` runs (`make bench-kv`, part of `make bench`), side by side in one run:
//  1. serving: wrk through the platform path against one Worker answering a constant vs answering
//     `await env.KV.get(key)` (gateway cache warm) — requests/s ratio and p50/p99 (goal: cached >= 0.7x);
//  2. uncached reads: the gateway's answer for keys it has not cached (each key read once), from the host to a
//     gateway pod with the account's credential, vs a direct S3 GET of the same objects from the host
//     (goal: p50 <= 2x); the Worker's own end-to-end uncached p50 is printed too;
//  3. `wrangler kv bulk put` of 10,000 keys vs putting the same 10,000 objects into S3 directly (32 at a time).
// A measurement, not a test: nothing is asserted. Loopback and bridge addresses only.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { bindingsCredentialSecretName } from "@fireworkers/bindings-auth";
import { clusterConfig, clusterPaths, readPlatform, type ClusterInfo } from "@fireworkers/cluster";
import { fetchVia, newTenant, plainProject, untilAnswers, writeProject } from "@fireworkers/e2e";
import { objectName } from "@fireworkers/kv-store";
import { kvNamespacePrefix } from "@fireworkers/storage";
import { runWrangler } from "@fireworkers/testenv";

const WRK = ["-t2", "-c32", `-d${process.env.BENCH_WRK_SECONDS ?? 10}s`, "--latency"];
const UNCACHED = Number(process.env.BENCH_KV_UNCACHED ?? 300);
const BULK = 10_000;

const cluster = JSON.parse(readFileSync(clusterPaths(clusterConfig().dir).info, "utf8")) as ClusterInfo;
const platform = readPlatform();
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;
const ms = (x: number) => `${x.toFixed(2)} ms`;

function wrk(url: string, host: string) {
  const out = execFileSync("wrk", [...WRK, "-H", `Host: ${host}`, url], { encoding: "utf8" });
  const rps = Number(out.match(/Requests\/sec:\s+([0-9.]+)/)![1]);
  const at = (p: string) => {
    const [, v, unit] = out.match(new RegExp(`\\s${p}%\\s+([0-9.]+)(us|ms|s)`))!;
    return Number(v) * ({ us: 0.001, ms: 1, s: 1000 } as Record<string, number>)[unit!]!;
  };
  const errors = out.match(/Non-2xx or 3xx responses: (\d+)/);
  if (errors) console.log(`  (${errors[1]} non-2xx answers from ${url})`);
  return { rps, p50: at("50"), p99: at("99") };
}

/** The S3 of `make up` (deploy/local's fixed local-only credentials), as the platform sees it. */
function s3(): { client: S3Client; bucket: string } {
  const data = JSON.parse(execFileSync(cluster.kubectl, ["--kubeconfig", cluster.kubeconfig, "-n", platform.namespace, "get", "configmap", "fireworkers-s3", "-o", "json"], { encoding: "utf8" })).data;
  const secret = JSON.parse(execFileSync(cluster.kubectl, ["--kubeconfig", cluster.kubeconfig, "-n", platform.namespace, "get", "secret", "fireworkers-s3", "-o", "json"], { encoding: "utf8" })).data;
  const dec = (k: string) => Buffer.from(secret[k], "base64").toString();
  const client = new S3Client({
    endpoint: data.S3_ENDPOINT,
    region: data.S3_REGION ?? "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: dec("S3_ACCESS_KEY_ID"), secretAccessKey: dec("S3_SECRET_ACCESS_KEY") },
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
  return { client, bucket: data.S3_BUCKET };
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

const tenant = await newTenant(cluster, platform, "kvbench");
const { client, bucket } = s3();
try {
  const created = await tenant.wrangler(process.cwd(), ["kv", "namespace", "create", "bench"]);
  if (created.code !== 0) throw new Error(created.output);
  const id = /([0-9a-f]{32})/.exec(created.output)![1]!;
  const value = "v".repeat(100);
  const worker = `export default { async fetch(req, env) {
    const url = new URL(req.url);
    if (url.pathname === "/const") return new Response(${JSON.stringify(value)});
    if (url.pathname === "/kv") return new Response(await env.KV.get("bench"));
    if (url.pathname === "/u") return new Response(await env.KV.get("u:" + url.searchParams.get("i"), { cacheTtl: 30 }));
    return new Response("kv bench");
  } }\n`;
  const dir = writeProject(plainProject("kvbench", worker, `[[kv_namespaces]]\nbinding = "KV"\nid = "${id}"\n`));
  const keys = [{ key: "bench", value }, ...Array.from({ length: 2 * UNCACHED }, (_, i) => ({ key: `u:${i}`, value }))];
  writeFileSync(join(dir, "seed.json"), JSON.stringify(keys));
  let r = await tenant.wrangler(dir, ["kv", "bulk", "put", "seed.json", "--binding", "KV", "--remote"]);
  if (r.code !== 0) throw new Error(r.output);
  r = await tenant.wrangler(dir, ["deploy"]);
  if (r.code !== 0) throw new Error(r.output);
  const host = tenant.host("kvbench");
  await untilAnswers(platform.edgeUrl, host, (b) => b === "kv bench");
  await untilAnswers(platform.edgeUrl, host, (b) => b === value, 60_000, "/kv");

  // 1. cached KV get vs a constant, through the platform path
  const constant = wrk(`${platform.edgeUrl}/const`, host);
  const cached = wrk(`${platform.edgeUrl}/kv`, host);
  console.log(`\nserving through the platform (wrk ${WRK.join(" ")}):`);
  console.log(`  constant:              ${constant.rps.toFixed(0)} req/s, p50 ${ms(constant.p50)}, p99 ${ms(constant.p99)}`);
  console.log(`  env.KV.get (cached):   ${cached.rps.toFixed(0)} req/s, p50 ${ms(cached.p50)}, p99 ${ms(cached.p99)}`);
  console.log(`  ratio: ${(cached.rps / constant.rps).toFixed(2)}x requests/s (goal >= 0.7), p50 ${(cached.p50 / constant.p50).toFixed(2)}x, p99 ${(cached.p99 / constant.p99).toFixed(2)}x`);

  // 2. uncached: the gateway (host -> gateway pod) vs S3 directly (host -> S3), same objects, each read once
  const credential = Buffer.from(
    JSON.parse(execFileSync(cluster.kubectl, ["--kubeconfig", cluster.kubeconfig, "-n", platform.namespace, "get", "secret", bindingsCredentialSecretName(tenant.accountId), "-o", "json"], { encoding: "utf8" })).data.credential,
    "base64",
  ).toString();
  const pods = JSON.parse(execFileSync(cluster.kubectl, ["--kubeconfig", cluster.kubeconfig, "-n", platform.namespace, "get", "pods", "-l", "app.kubernetes.io/name=bindings-gateway", "-o", "json"], { encoding: "utf8" })).items;
  const gateway = `http://${pods[0].status.podIP}:8788`;
  const viaGateway: number[] = [];
  const direct: number[] = [];
  const viaWorker: number[] = [];
  for (let i = 0; i < UNCACHED; i++) {
    viaGateway.push(await timed(async () => {
      const res = await fetch(`${gateway}/kv/${id}/u%3A${i}?urlencoded=true&cache_ttl=30`, { headers: { authorization: `Bearer ${credential}` } });
      if ((await res.text()) !== value) throw new Error(`gateway answered ${res.status}`);
    }));
    direct.push(await timed(async () => {
      const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: `${kvNamespacePrefix(tenant.accountId, id)}v/${objectName(`u:${i}`)}` }));
      await res.Body!.transformToString();
    }));
    // A key no replica has read yet: through the whole platform path.
    viaWorker.push(await timed(async () => {
      const res = await fetchVia(platform.edgeUrl, host, `/u?i=${UNCACHED + i}`);
      if (res.body !== value) throw new Error(`worker answered ${res.status}`);
    }));
  }
  console.log(`\nuncached reads (${UNCACHED} keys, each read once, sequential):`);
  console.log(`  gateway GET (host -> gateway pod -> S3): p50 ${ms(pct(viaGateway, 50))}, p99 ${ms(pct(viaGateway, 99))}`);
  console.log(`  direct S3 GET (host -> S3):              p50 ${ms(pct(direct, 50))}, p99 ${ms(pct(direct, 99))}`);
  console.log(`  ratio p50: ${(pct(viaGateway, 50) / pct(direct, 50)).toFixed(2)}x (goal <= 2)`);
  console.log(`  Worker env.KV.get through the platform path, uncached: p50 ${ms(pct(viaWorker, 50))}, p99 ${ms(pct(viaWorker, 99))}`);

  // 3. bulk put of 10,000 keys: wrangler -> API -> S3 vs S3 directly
  const bulk = Array.from({ length: BULK }, (_, i) => ({ key: `bulk:${i}`, value: `value ${i}` }));
  writeFileSync(join(dir, "bulk.json"), JSON.stringify(bulk));
  const viaApi = await timed(async () => {
    // 10 requests of 1000 pairs: longer than the test helper's 90 s limit on this S3, so no limit but 10 min.
    const out = await runWrangler({ apiUrl: platform.apiUrl, token: tenant.token, accountId: tenant.accountId, cwd: dir, args: ["kv", "bulk", "put", "bulk.json", "--binding", "KV", "--remote"], timeoutMs: 600_000 });
    if (out.code !== 0) throw new Error(out.output);
  });
  const prefix = `${kvNamespacePrefix(tenant.accountId, id)}direct/`;
  const viaS3 = await timed(async () => {
    let next = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < BULK) {
          const i = next++;
          await client.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}${i}`, Body: `value ${i}` }));
        }
      }),
    );
  });
  console.log(`\nbulk put of ${BULK} keys:`);
  console.log(`  wrangler kv bulk put (10 requests of 1000) -> API -> S3: ${(viaApi / 1000).toFixed(2)} s (includes wrangler's own start, ~1 s)`);
  console.log(`  direct S3 PutObject x ${BULK}, 32 in flight:              ${(viaS3 / 1000).toFixed(2)} s`);
  console.log(`  ratio: ${(viaApi / viaS3).toFixed(2)}x the time`);
} finally {
  await tenant.remove();
  client.destroy();
}
