#!/usr/bin/env node
// `make up` after `make up-cluster`: the whole platform on the single-node cluster, step by step.
//   images   base + app images pushed to the cluster's registry (skipped when unchanged)
//   deploy   deploy/local applied with those digests (dist/local), then the rollouts awaited
//   account  a WorkerAccount + API token (kept in dist/local/credentials.json)
// Prints the three variables wrangler needs and how to reach the deployed workers; writes them to
// dist/local/platform.json (read by the e2e tests and benchmarks) and dist/local/env.sh.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { kubectl, REPO_ROOT } from "@fireworkers/testenv";
import { clusterConfig, clusterPaths } from "../config.ts";
import type { ClusterInfo } from "../supervisor/index.ts";
import { ensureAccount } from "./account.ts";
import { ensureImages } from "./images.ts";
import { writeLocalComponent } from "./overlay.ts";
import { LOCAL_DIR, NAMESPACE, type Platform } from "./platform.ts";

const t0 = Date.now();
const log = (msg: string) => console.log(`[up +${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`);
const steps = 5;
let step = 0;
const stepLog = (msg: string) => log(`step ${++step}/${steps}: ${msg}`);

mkdirSync(LOCAL_DIR, { recursive: true });
const paths = clusterPaths(clusterConfig().dir);
if (!existsSync(paths.info)) {
  console.error("[up] the cluster is not running: `make up` starts it first (make up-cluster)");
  process.exit(1);
}
const cluster = JSON.parse(readFileSync(paths.info, "utf8")) as ClusterInfo;
const kube = { kubectl: cluster.kubectl, kubeconfig: cluster.kubeconfig };
const apiUrl = `http://${cluster.nodeIp}:30787`;

stepLog(`images: workerd runtime base + fake-cf-api, operator, job-builder, bindings-gateway -> ${cluster.registry}`);
const images = await ensureImages(cluster.registry, join(LOCAL_DIR, "images.json"), log);

stepLog("deploy/local: namespace, CRDs, RBAC, operator (2), fake-cf-api (2), bindings-gateway (2), S3/registry config");
writeLocalComponent(join(LOCAL_DIR, "kustomization.yaml"), images);
const applied = await kubectl(kube, ["apply", "--server-side", "--force-conflicts", "--field-manager=fireworkers-deploy", "-k", join(REPO_ROOT, "deploy/local")]);
const changed = applied.split("\n").filter((l) => l && !l.endsWith("unchanged") && !l.includes("serverside-applied")).length;
log(`  applied (${applied.trim().split("\n").length} objects${changed ? `, ${changed} changed` : ""})`);

stepLog("rollouts: fireworkers-operator, fake-cf-api, bindings-gateway");
// The gateway's pods start once the operator has made the gateway key Secret they read.
for (const d of ["fireworkers-operator", "fake-cf-api", "bindings-gateway"]) {
  await kubectl(kube, ["-n", NAMESPACE, "rollout", "status", `deployment/${d}`, "--timeout=300s"]);
  log(`  ${d} rolled out`);
}

stepLog(`API reachable from this machine at ${apiUrl} (NodePort)`);
const deadline = Date.now() + 60_000;
for (;;) {
  const status = await fetch(`${apiUrl}/readyz`, { signal: AbortSignal.timeout(3000) }).then((r) => r.status, () => 0);
  if (status === 200) break;
  if (Date.now() > deadline) throw new Error(`${apiUrl}/readyz did not answer 200 within 60 s (last: ${status})`);
  await sleep(300);
}

stepLog("account and API token");
const creds = await ensureAccount(kube, NAMESPACE, apiUrl, join(LOCAL_DIR, "credentials.json"), log);

const platform: Platform = {
  apiUrl,
  accountId: creds.accountId,
  subdomain: creds.subdomain,
  token: creds.token,
  edgeUrl: cluster.edgeUrl,
  workersDomain: "workers.local",
  namespace: NAMESPACE,
  images,
};
writeFileSync(join(LOCAL_DIR, "platform.json"), JSON.stringify(platform, null, 2), { mode: 0o600 });
const env = [
  `export CLOUDFLARE_API_BASE_URL=${apiUrl}/client/v4`,
  `export CLOUDFLARE_API_TOKEN=${creds.token}`,
  `export CLOUDFLARE_ACCOUNT_ID=${creds.accountId}`,
].join("\n");
writeFileSync(join(LOCAL_DIR, "env.sh"), `${env}\n`, { mode: 0o600 });
log(`platform ready in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
console.log(`
fireworkers is up. Point wrangler at it (also in dist/local/env.sh):

${env}

  npx wrangler deploy        # in your Worker's directory

Workers answer through the edge proxy on ${cluster.edgeUrl} (it stands in for an ingress controller),
by Host <script>.${creds.subdomain}.workers.local, or by path /<script>:

  curl -H 'Host: <script>.${creds.subdomain}.workers.local' ${cluster.edgeUrl}/
  curl ${cluster.edgeUrl}/<script>/

  kubectl:  export KUBECONFIG=${cluster.kubeconfig}; kubectl -n ${NAMESPACE} get fireworkers,pods
  make down stops it all.`);
