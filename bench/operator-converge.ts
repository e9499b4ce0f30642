// Benchmark: the operator converging N accounts x M deployed versions from a cold start.
//   node bench/operator-converge.ts [accounts=100] [versionsPerAccount=10]
// Everything exists before the operator starts (a restart after downtime, the worst case): one
// release and one build per account. The benchmark plays the Job controller + job-builder (no kubelet
// here): it completes each build Job as it appears. Prints time to all bundles updated and the
// apiserver requests the operator made per version (from the apiserver's audit log).
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { createHash, randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { CREATED_ON, LABELS } from "@fireworkers/crd-types";
import { moduleKey, versionPrefix } from "@fireworkers/storage";
import { kubectl, s3Client, startEnvironment } from "@fireworkers/testenv";
import { finishBuild, operatorKubeconfig, startOperator } from "../apps/operator/src/test/harness.ts";

const accounts = Number(process.argv[2] ?? 100);
const perAccount = Number(process.argv[3] ?? 10);
const env = await startEnvironment();
const ns = "bench";
const k = (args: string[], input?: string) => kubectl(env.info.kube, ["-n", ns, ...args], input);

try {
  await kubectl(env.info.kube, ["create", "namespace", ns]);
  const s3 = s3Client(env.info.s3);
  const body = Buffer.from("export default { fetch() { return new Response('hi') } }");
  const sha256 = createHash("sha256").update(body).digest("hex");
  const objects: unknown[] = [];
  const puts: (() => Promise<unknown>)[] = [];
  for (let a = 0; a < accounts; a++) {
    const account = `acc${a}`;
    objects.push({ apiVersion: "api.cf-worker/v1", kind: "WorkerAccount", metadata: { name: account }, spec: { workerBundleName: `bundle-${a}` } });
    for (let s = 0; s < perAccount; s++) {
      const script = `script-${s}`;
      const versionId = randomUUID();
      const prefix = versionPrefix(account, script, versionId);
      const labels = { [LABELS.account]: account, [LABELS.script]: script };
      const annotations = { [CREATED_ON]: new Date().toISOString() };
      puts.push(() => s3.send(new PutObjectCommand({ Bucket: env.info.s3.bucket, Key: moduleKey(prefix, "index.js"), Body: body })));
      objects.push({
        apiVersion: "api.cf-worker/v1",
        kind: "WorkerVersion",
        metadata: { name: versionId, labels, annotations, finalizers: ["api.cf-worker/s3-objects"] },
        spec: { accountId: account, scriptName: script, versionId, number: 1, storage: { bucket: env.info.s3.bucket, prefix }, mainModule: "index.js", modules: [{ name: "index.js", type: "esm", sha256, size: body.length }] },
      });
      const deploymentId = randomUUID();
      objects.push({
        apiVersion: "api.cf-worker/v1",
        kind: "WorkerDeployment",
        metadata: { name: deploymentId, labels, annotations },
        spec: { accountId: account, scriptName: script, deploymentId, strategy: "percentage", versions: [{ versionId, percentage: 100 }] },
      });
    }
  }
  for (let i = 0; i < puts.length; i += 32) await Promise.all(puts.slice(i, i + 32).map((p) => p()));
  for (let i = 0; i < objects.length; i += 500) {
    await k(["create", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: objects.slice(i, i + 500) }));
  }
  await operatorKubeconfig(env.info, ns);
  const auditStart = (await readFile(env.info.kube.auditLog, "utf8")).length;

  console.log(`created ${accounts} accounts x ${perAccount} deployed versions; starting the operator`);
  const started = Date.now();
  const op = await startOperator(env.info, ns, "bench", { LOG_LEVEL: "warn" });
  const finished = new Set<string>();
  let converged = 0;
  while (converged < accounts) {
    const jobs = JSON.parse(await k(["get", "jobs", "-o", "json"])).items as { metadata: { name: string } }[];
    const fresh = jobs.filter((j) => !finished.has(j.metadata.name));
    for (let i = 0; i < fresh.length; i += 8) {
      await Promise.all(fresh.slice(i, i + 8).map((j) => finishBuild(env.info, ns, j.metadata.name, "succeeded")));
    }
    fresh.forEach((j) => finished.add(j.metadata.name));
    const bundles = JSON.parse(await k(["get", "workerbundles", "-o", "json"])).items as { spec: { image?: string; workers?: unknown[] } }[];
    converged = bundles.filter((b) => b.spec.image && b.spec.workers?.length === perAccount).length;
    if (converged < accounts) await new Promise((r) => setTimeout(r, 250));
  }
  const seconds = (Date.now() - started) / 1000;
  // Let trailing status writes land, then count.
  await new Promise((r) => setTimeout(r, 3000));
  const metrics = await op.metrics();
  await op.stop();

  const audit = (await readFile(env.info.kube.auditLog, "utf8")).slice(auditStart).trim().split("\n").filter(Boolean).map((l) => JSON.parse(l));
  const mine = audit.filter((e) => e.stage === "ResponseComplete" && e.user?.username === `system:serviceaccount:${ns}:fireworkers-operator`);
  const writes = mine.filter((e) => !["get", "list", "watch"].includes(e.verb) && e.objectRef?.resource !== "leases");
  const versions = accounts * perAccount;
  const byResource = new Map<string, number>();
  for (const e of writes) byResource.set(`${e.verb} ${e.objectRef?.resource}${e.objectRef?.subresource ? "/" + e.objectRef.subresource : ""}`, (byResource.get(`${e.verb} ${e.objectRef?.resource}${e.objectRef?.subresource ? "/" + e.objectRef.subresource : ""}`) ?? 0) + 1);
  const reconciles = [...metrics.matchAll(/^fireworkers_reconcile_total\{kind="(\w+)",result="(\w+)"\} (\d+)/gm)].map((m) => `${m[1]}:${m[2]}=${m[3]}`);

  console.log(`\noperator convergence: ${accounts} accounts x ${perAccount} versions = ${versions} versions`);
  console.log(`  time to all bundles updated: ${seconds.toFixed(1)} s   (goal <= 30 s)`);
  console.log(`  builds (Jobs) created:       ${finished.size}   (one per account = ${accounts})`);
  console.log(`  apiserver requests/version:  ${(mine.length / versions).toFixed(2)}  (all verbs, leases included)`);
  console.log(`  apiserver writes/version:    ${(writes.length / versions).toFixed(2)}  (leases excluded)`);
  console.log(`  writes by kind:              ${[...byResource].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}=${n}`).join(", ")}`);
  console.log(`  reconciles:                  ${reconciles.join(", ")}`);
  s3.destroy();
} finally {
  await env.stop();
}
