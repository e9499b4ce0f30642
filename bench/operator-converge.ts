// Benchmark: the operator converging N accounts x M deployed versions from a cold start.
//   node bench/operator-converge.ts [accounts=100] [versionsPerAccount=10]
// Everything exists before the operator starts (a restart after downtime, the worst case): one
// release and one build per account. The benchmark plays the Job controller + job-builder (no kubelet
// here): it completes each build Job as it appears. Prints time to all bundles updated and the
// apiserver requests the operator made per version (from the apiserver's audit log).
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { createHash, randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { CREATED_ON, LABELS, S3_FINALIZER, type JobBuilder } from "@fireworkers/crd-types";
import { moduleKey, versionPrefix } from "@fireworkers/storage";
import { kubectl, s3Client, startEnvironment } from "@fireworkers/testenv";
import { operatorKubeconfig, startOperator } from "../apps/operator/src/test/harness.ts";
import { KINDS, KubeClient, KubeConfig, ListWatch, type Job, type Kind, type KubeObject, type ListWatchEvent } from "@fireworkers/kube";

const accounts = Number(process.argv[2] ?? 100);
const perAccount = Number(process.argv[3] ?? 10);
// OPERATOR_ENV='{"NODE_OPTIONS":"--cpu-prof"}' passes extra settings to the operator (e.g. to profile it).
/** CPU time (ms) of each component of the environment, the operator and this process, from /proc. */
function cpuByComponent(): Map<string, number> {
  const out = new Map<string, number>([["bench", process.cpuUsage().user / 1000 + process.cpuUsage().system / 1000]]);
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      const name = cmd.includes(env.info.dir)
        ? (["kube-apiserver", "kube-controller-manager", "etcd", "versitygw"].find((c) => cmd.includes(`/${c}`)) ?? "")
        : cmd.includes("apps/operator/src/main.ts") && readFileSync(`/proc/${pid}/environ`, "utf8").includes(env.info.dir) ? "operator" : "";
      if (!name) continue;
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      out.set(name, (out.get(name) ?? 0) + ((Number(fields[11]) + Number(fields[12])) * 1000) / 100);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}
const operatorEnv = (): Record<string, string> => JSON.parse(process.env.OPERATOR_ENV ?? "{}");
const env = await startEnvironment({ keep: process.env.FIREWORKERS_KEEP_ENV === "1" });
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
        metadata: { name: versionId, labels, annotations, finalizers: [S3_FINALIZER] },
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
  // The benchmark watches (as admin, so its requests are not counted as the operator's) and plays the
  // Job controller + job-builder under their field managers: one status patch on the JobBuilder, one on the Job.
  const kc = new KubeConfig();
  kc.loadFromFile(env.info.kube.kubeconfig);
  const api = new KubeClient(kc, { namespace: ns, fieldManager: "bench" });
  const asJobBuilder = new KubeClient(kc, { namespace: ns, fieldManager: "fireworkers-job-builder" });
  const asJobController = new KubeClient(kc, { namespace: ns, fieldManager: "kube-controller-manager" });
  const verified = new Set<string>();
  const jobBuilders = new Map<string, JobBuilder>();
  const jobsSeen = new Set<string>();
  const jobsDone = new Set<string>();
  const bundlesDone = new Set<string>();
  const counts = () => ({ verified: verified.size, jobBuilders: jobBuilders.size, jobs: jobsSeen.size, jobsDone: jobsDone.size, bundles: bundlesDone.size });
  const firsts = new Map<string, number>();
  const lasts = new Map<string, number>();
  const targets = { verified: accounts * perAccount, jobBuilders: accounts, jobs: accounts, jobsDone: accounts, bundles: accounts };
  let started = 0;
  let converged: () => void = () => {};
  const allBundles = new Promise<void>((resolve) => (converged = resolve));
  // Per account, when each step of the chain was first seen (ms since the operator started).
  const STAGES = ["versions verified", "release", "JobBuilder", "Job", "Job completed", "build succeeded", "bundle updated"] as const;
  const stageAt = new Map<string, Map<string, number>>();
  const stage = (account: string | undefined, what: (typeof STAGES)[number]) => {
    if (!account) return;
    const m = stageAt.get(account) ?? new Map<string, number>();
    stageAt.set(account, m);
    if (!m.has(what)) m.set(what, Date.now() - started);
  };
  const verifiedPerAccount = new Map<string, number>();
  const mark = () => {
    const t = Date.now() - started;
    for (const [k, n] of Object.entries(counts())) {
      if (n > 0 && !firsts.has(k)) firsts.set(k, t);
      if (n >= targets[k as keyof typeof targets] && !lasts.has(k)) lasts.set(k, t);
    }
    if (bundlesDone.size >= accounts) converged();
  };
  const finish = async (job: Job) => {
    const name = job.metadata?.name ?? "";
    const jb = jobBuilders.get(name) ?? (await api.get(KINDS.JobBuilder, name));
    if (!jb) throw new Error(`JobBuilder ${name} not found`);
    const digest = createHash("sha256").update(name).digest("hex");
    await asJobBuilder.mergePatch(
      KINDS.JobBuilder,
      name,
      { status: { imageDigest: `sha256:${digest}`, image: `${jb.spec.image.repository}@sha256:${digest}` } },
      { subresource: "status" },
    );
    // The Job controller sets startTime (which cannot change afterwards) while we finish the Job: read
    // the Job right before writing its terminal status, and try again if it changed under us.
    for (let attempt = 1; ; attempt++) {
      const live = await api.get(KINDS.Job, name);
      if (!live) throw new Error(`Job ${name} not found`);
      const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
      const done = (type: string) => ({ type, status: "True", reason: "CompletionsReached", message: "Reached expected number of succeeded pods", lastProbeTime: now, lastTransitionTime: now });
      try {
        const status = {
          startTime: live.status?.startTime ?? now,
          completionTime: now,
          succeeded: 1,
          active: 0,
          ready: 0,
          terminating: 0,
          uncountedTerminatedPods: {},
          conditions: [done("SuccessCriteriaMet"), done("Complete")],
        };
        await asJobController.mergePatch(KINDS.Job, name, { metadata: { resourceVersion: live.metadata?.resourceVersion }, status }, { subresource: "status" });
        break;
      } catch (err) {
        if (attempt >= 10) throw err;
        await new Promise((r) => setTimeout(r, 50 * attempt));
      }
    }
    jobsDone.add(name);
    stage(jb.spec.accountId, "Job completed");
    mark();
  };
  const failures: unknown[] = [];
  /** Lists and watches a kind; every event goes to `onEvent`. Returns a stop function once the list is delivered. */
  const watch = async <T extends KubeObject>(kind: Kind<T>, onEvent: (type: ListWatchEvent, object: T) => void) => {
    const lw = new ListWatch(api, kind, { onEvent });
    await lw.start();
    return () => lw.stop();
  };
  const stops = await Promise.all([
    watch(KINDS.WorkerVersion, (type, object) => {
      const name = object.metadata.name;
      const account = object.spec.accountId;
      if (type !== "delete" && !verified.has(name) && object.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")) {
        verified.add(name);
        verifiedPerAccount.set(account, (verifiedPerAccount.get(account) ?? 0) + 1);
        if (verifiedPerAccount.get(account) === perAccount) stage(account, "versions verified");
      }
      mark();
    }),
    watch(KINDS.WorkerRelease, (type, object) => {
      if (type !== "delete" && object.spec.scripts?.length === perAccount) stage(object.spec.accountId, "release");
    }),
    watch(KINDS.JobBuilder, (type, object) => {
      if (type !== "delete") jobBuilders.set(object.metadata.name, object);
      stage(object.spec.accountId, "JobBuilder");
      if (object.status?.conditions?.some((c) => c.type === "Succeeded" && c.status === "True")) stage(object.spec.accountId, "build succeeded");
      mark();
    }),
    watch(KINDS.Job, (type, object) => {
      const name = object.metadata?.name ?? "";
      if (type === "delete" || jobsSeen.has(name)) return;
      jobsSeen.add(name);
      stage(object.metadata?.labels?.[LABELS.account], "Job");
      mark();
      finish(object).catch((err) => {
        failures.push(err);
        converged();
      });
    }),
    watch(KINDS.WorkerBundle, (type, object) => {
      if (type !== "delete" && object.spec.image && object.spec.workers?.length === perAccount) {
        bundlesDone.add(object.metadata.name);
        stage(object.metadata.labels?.[LABELS.account], "bundle updated");
      }
      mark();
    }),
  ]);

  const timeline: string[] = [];
  let last = "";
  const ticker = setInterval(() => {
    const c = counts();
    const line = `verified ${c.verified}/${targets.verified}  JobBuilders ${c.jobBuilders}  Jobs ${c.jobs} (completed ${c.jobsDone})  bundles updated ${c.bundles}/${accounts}`;
    if (line !== last) timeline.push(`  ${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s  ${line}`);
    last = line;
  }, 1000);
  const cpuBefore = cpuByComponent();
  started = Date.now();
  const op = await startOperator(env.info, ns, "bench", { LOG_LEVEL: "warn", ...operatorEnv() });
  const ready = Date.now() - started;
  await allBundles;
  const cpuAfter = cpuByComponent();
  clearInterval(ticker);
  if (failures.length) throw failures[0];
  const finished = jobsSeen;
  const seconds = (Date.now() - started) / 1000;
  // Let trailing status writes land, then count.
  await new Promise((r) => setTimeout(r, 3000));
  const metrics = await op.metrics();
  await op.stop();
  stops.forEach((stop) => stop());

  const audit = (await readFile(env.info.kube.auditLog, "utf8")).slice(auditStart).trim().split("\n").filter(Boolean).map((l) => JSON.parse(l));
  const mine = audit.filter((e) => e.stage === "ResponseComplete" && e.user?.username === `system:serviceaccount:${ns}:fireworkers-operator`);
  const writes = mine.filter((e) => !["get", "list", "watch"].includes(e.verb) && e.objectRef?.resource !== "leases");
  const versions = accounts * perAccount;
  const byResource = new Map<string, number>();
  for (const e of writes) byResource.set(`${e.verb} ${e.objectRef?.resource}${e.objectRef?.subresource ? "/" + e.objectRef.subresource : ""}`, (byResource.get(`${e.verb} ${e.objectRef?.resource}${e.objectRef?.subresource ? "/" + e.objectRef.subresource : ""}`) ?? 0) + 1);
  const reconciles = [...metrics.matchAll(/^fireworkers_reconcile_total\{kind="(\w+)",result="(\w+)"\} (\d+)/gm)].map((m) => `${m[1]}:${m[2]}=${m[3]}`);

  console.log(`\noperator convergence: ${accounts} accounts x ${perAccount} versions = ${versions} versions`);
  console.log(`  time to all bundles updated: ${seconds.toFixed(1)} s   (goal <= 30 s)`);
  console.log(`  timeline (every second when something changed; the operator was ready after ${(ready / 1000).toFixed(1)} s):`);
  console.log(timeline.join("\n"));
  const at = (m: Map<string, number>, k: string) => (m.has(k) ? `${(m.get(k)! / 1000).toFixed(1)} s` : "-");
  for (const [k, label] of [["verified", "versions verified"], ["jobBuilders", "JobBuilders created"], ["jobs", "Jobs created"], ["jobsDone", "Jobs completed"], ["bundles", "bundles updated"]] as [string, string][]) {
    console.log(`  ${(label + ":").padEnd(28)} first ${at(firsts, k).padStart(7)}   all ${at(lasts, k).padStart(7)}`);
  }
  const q = (values: number[], f: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * f))] ?? 0;
  console.log("  per account, time from the previous step (median / p90 / max, ms):");
  for (let i = 1; i < STAGES.length; i++) {
    const gaps = [...stageAt.values()].filter((m) => m.has(STAGES[i]!) && m.has(STAGES[i - 1]!)).map((m) => m.get(STAGES[i]!)! - m.get(STAGES[i - 1]!)!);
    console.log(`    ${(STAGES[i - 1] + " -> " + STAGES[i]).padEnd(40)} ${q(gaps, 0.5)} / ${q(gaps, 0.9)} / ${q(gaps, 1)}`);
  }
  const latency = (events: any[]) => {
    const ms = events.map((e) => Date.parse(e.stageTimestamp) - Date.parse(e.requestReceivedTimestamp)).sort((a, b) => a - b);
    const q = (f: number) => ms[Math.min(ms.length - 1, Math.floor(ms.length * f))] ?? 0;
    return `median ${q(0.5)} ms, p90 ${q(0.9)} ms, max ${q(1)} ms`;
  };
  console.log(`  apiserver latency of the operator's writes: ${latency(writes)}; reads: ${latency(mine.filter((e) => ["get", "list"].includes(e.verb)))}`);
  const cpuUsed = [...cpuAfter].map(([k, ms]) => `${k} ${((ms - (cpuBefore.get(k) ?? 0)) / 1000).toFixed(1)}`);
  console.log(`  CPU seconds until converged:  ${cpuUsed.join(", ")} (the machine has ${availableParallelism()} cores)`);
  console.log(`  builds (Jobs) created:       ${finished.size}   (one per account = ${accounts})`);
  console.log(`  apiserver requests/version:  ${(mine.length / versions).toFixed(2)}  (all verbs, leases included)`);
  console.log(`  apiserver writes/version:    ${(writes.length / versions).toFixed(2)}  (leases excluded)`);
  console.log(`  writes by kind:              ${[...byResource].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}=${n}`).join(", ")}`);
  const sums = (name: string) =>
    new Map([...metrics.matchAll(new RegExp(`^${name}_(sum|count)\\{kind="(\\w+)"\\} ([\\d.e+-]+)`, "gm"))].map((m) => [`${m[2]} ${m[1]}`, Number(m[3])]));
  const perKind = (name: string) => {
    const m = sums(name);
    return [...new Set([...m.keys()].map((k) => k.split(" ")[0]!))]
      .map((kind) => `${kind} ${((1000 * (m.get(`${kind} sum`) ?? 0)) / (m.get(`${kind} count`) || 1)).toFixed(0)} ms`)
      .join(", ");
  };
  console.log(`  mean reconcile duration:     ${perKind("fireworkers_reconcile_duration_seconds")}`);
  console.log(`  mean wait in the queue:      ${perKind("fireworkers_workqueue_wait_seconds")}`);
  console.log(`  reconciles:                  ${reconciles.join(", ")}`);
  s3.destroy();
} finally {
  await env.stop();
}
