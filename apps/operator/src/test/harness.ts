// Test harness: the operator as a real child process against the test environment, plus helpers that
// play the API's part (S3 objects + WorkerVersion/WorkerDeployment CRs) and read back with kubectl.
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { CREATED_ON, LABELS, S3_FINALIZER, type WorkerVersion } from "@fireworkers/crd-types";
import { moduleKey, versionPrefix } from "@fireworkers/storage";
import { freePort, kubectl, REPO_ROOT, s3Client, s3Env, startProcess, type RunningProcess, type TestEnvInfo } from "@fireworkers/testenv";

const MAIN = join(import.meta.dirname, "../main.ts");

export interface OperatorProcess extends RunningProcess {
  healthPort: number;
  metrics(): Promise<string>;
  /** SIGKILL: no shutdown hook runs, like a crashed pod. */
  kill(): Promise<void>;
}

/**
 * Installs deploy/rbac into the namespace and returns a kubeconfig for the operator's ServiceAccount,
 * so the tests prove the Role grants every verb the operator uses.
 */
export async function operatorKubeconfig(env: TestEnvInfo, namespace: string): Promise<string> {
  const docs = parseAllDocuments(await kubectl(env.kube, ["kustomize", join(REPO_ROOT, "deploy/rbac")])).map((d) => d.toJS());
  for (const doc of docs) {
    doc.metadata.namespace = namespace;
    for (const subject of doc.subjects ?? []) subject.namespace = namespace;
  }
  await kubectl(env.kube, ["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: docs }));
  const token = (await kubectl(env.kube, ["create", "token", "fireworkers-operator", "-n", namespace, "--duration=2h"])).trim();
  const path = join(env.dir, `kubeconfig-operator-${namespace}`);
  const config = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "test", cluster: { server: env.kube.server, "certificate-authority": env.kube.caFile } }],
    users: [{ name: "operator", user: { token } }],
    contexts: [{ name: "test", context: { cluster: "test", user: "operator", namespace } }],
    "current-context": "test",
  };
  await writeFile(path, JSON.stringify(config), { mode: 0o600 });
  return path;
}

export async function startOperator(env: TestEnvInfo, namespace: string, name = "operator", extra: Record<string, string> = {}): Promise<OperatorProcess> {
  const healthPort = await freePort();
  let pid = 0;
  const proc = await startProcess({
    name: `${namespace}-${name}`,
    command: process.execPath,
    args: [MAIN],
    env: {
      KUBECONFIG: await operatorKubeconfig(env, namespace),
      NAMESPACE: namespace,
      ...s3Env(env.s3),
      IMAGE_REPOSITORY_PREFIX: `${env.registry.host}/bundles`,
      BASE_IMAGE: `${env.registry.host}/base@sha256:${"0".repeat(64)}`,
      HEALTH_HOST: "127.0.0.1",
      HEALTH_PORT: String(healthPort),
      POD_NAME: name,
      LEASE_DURATION_SECONDS: "4",
      LEASE_RENEW_DEADLINE_SECONDS: "2",
      LEASE_RETRY_PERIOD_SECONDS: "1",
      LOG_LEVEL: "debug",
      ...extra,
    },
    logDir: env.logDir,
    ready: async () => (await fetch(`http://127.0.0.1:${healthPort}/readyz`)).ok,
  });
  pid = proc.pid;
  return {
    ...proc,
    healthPort,
    metrics: async () => (await fetch(`http://127.0.0.1:${healthPort}/metrics`)).text(),
    kill: async () => {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // already gone
      }
      await proc.stop();
    },
  };
}

export async function isLeader(op: OperatorProcess): Promise<boolean> {
  return /^fireworkers_leader 1$/m.test(await op.metrics().catch(() => ""));
}

/** Sum of the samples of one metric (all label sets) in a /metrics text. */
export function metricSum(text: string, name: string, labels = ""): number {
  const pattern = new RegExp(`^${name}(?:\\{([^}]*)\\})? (\\S+)$`, "gm");
  return [...text.matchAll(pattern)].filter((m) => (m[1] ?? "").includes(labels)).reduce((n, m) => n + Number(m[2]), 0);
}

/**
 * True when the operator leads, its controllers have been started and every queue is empty with
 * nothing in flight: what it had to look at (the whole world, at start) it has looked at.
 */
export async function isLeadingAndIdle(op: OperatorProcess): Promise<boolean> {
  const text = await op.metrics().catch(() => "");
  return (
    /^fireworkers_leader 1$/m.test(text) &&
    /^fireworkers_workqueue_depth\{/m.test(text) &&
    metricSum(text, "fireworkers_workqueue_depth") === 0 &&
    metricSum(text, "fireworkers_workqueue_in_flight") === 0
  );
}

export function k(env: TestEnvInfo, namespace: string) {
  const run = (args: string[], input?: string) => kubectl(env.kube, ["-n", namespace, ...args], input);
  return {
    run,
    apply: (obj: unknown) => run(["apply", "--server-side", "--field-manager=test", "-f", "-"], JSON.stringify(obj)),
    create: (obj: unknown) => run(["create", "-f", "-"], JSON.stringify(obj)),
    get: async <T = Record<string, any>>(kind: string, name: string): Promise<T | undefined> => {
      const out = await run(["get", kind, name, "--ignore-not-found", "-o", "json"]);
      return out.trim() ? (JSON.parse(out) as T) : undefined;
    },
    list: async <T = Record<string, any>>(kind: string, selector?: string): Promise<T[]> =>
      JSON.parse(await run(["get", kind, "-o", "json", ...(selector ? ["-l", selector] : [])])).items as T[],
    /** Writes a status through the status subresource, as a controller or the job-builder would. */
    patchStatus: (kind: string, name: string, status: unknown, manager = "test") =>
      run(["patch", kind, name, "--subresource=status", "--type=merge", `--field-manager=${manager}`, "-p", JSON.stringify({ status })]),
  };
}

export async function newNamespace(env: TestEnvInfo, prefix: string): Promise<string> {
  const ns = `${prefix}-${randomUUID().slice(0, 8)}`;
  await kubectl(env.kube, ["create", "namespace", ns]);
  return ns;
}

export const ACCOUNT = "398803b74bcdb1b454434669bc634190";

/** A fresh account id (32 hex digits, like Cloudflare's), for a test that needs an account of its own. */
export const newAccountId = () => randomBytes(16).toString("hex");

export function seedAccount(bundle = "worker-bundle-name", account = ACCOUNT) {
  return {
    apiVersion: "api.cf-worker/v1",
    kind: "WorkerAccount",
    metadata: { name: account, labels: { "app.kubernetes.io/name": "workeraccount" } },
    spec: { workerBundleName: bundle, workerReleaseSelector: { matchLabels: { accounts: "1234" } }, podTemplate: { imagePullSecret: "insert-secret-here" } },
  };
}

/** The script object the API keeps per script (owned by the account); returns its owner reference. */
async function ensureScript(env: TestEnvInfo, namespace: string, script: string, accountId: string) {
  const kc = k(env, namespace);
  const account = (await kc.get("workeraccount", accountId))!;
  const name = `${accountId}.${script}`;
  await kc.apply({
    apiVersion: "api.cf-worker/v1",
    kind: "WorkerScript",
    metadata: {
      name,
      labels: { [LABELS.account]: accountId, [LABELS.script]: script },
      ownerReferences: [{ apiVersion: "api.cf-worker/v1", kind: "WorkerAccount", name: accountId, uid: account.metadata.uid, blockOwnerDeletion: true }],
    },
    spec: { accountId, scriptName: script },
  });
  const uid = (await kc.get("workerscript", name))!.metadata.uid;
  return [{ apiVersion: "api.cf-worker/v1", kind: "WorkerScript", name, uid, blockOwnerDeletion: true }];
}

/** Does what the API does for an upload: module objects in S3, then the WorkerVersion (with its finalizer). */
export async function uploadVersion(
  env: TestEnvInfo,
  namespace: string,
  script: string,
  code: string,
  options: { skipS3?: boolean; account?: string } = {},
): Promise<WorkerVersion> {
  const account = options.account ?? ACCOUNT;
  const versionId = randomUUID();
  const prefix = versionPrefix(account, script, versionId);
  const body = Buffer.from(code);
  if (!options.skipS3) {
    const s3 = s3Client(env.s3);
    await s3.send(new PutObjectCommand({ Bucket: env.s3.bucket, Key: moduleKey(prefix, "index.js"), Body: body }));
    s3.destroy();
  }
  const version: WorkerVersion = {
    apiVersion: "api.cf-worker/v1",
    kind: "WorkerVersion",
    metadata: {
      name: versionId,
      labels: { [LABELS.account]: account, [LABELS.script]: script },
      annotations: { [CREATED_ON]: new Date().toISOString() },
      finalizers: [S3_FINALIZER],
      ownerReferences: await ensureScript(env, namespace, script, account),
    },
    spec: {
      accountId: account,
      scriptName: script,
      versionId,
      number: 1,
      storage: { bucket: env.s3.bucket, prefix },
      mainModule: "index.js",
      modules: [{ name: "index.js", type: "esm", sha256: createHash("sha256").update(body).digest("hex"), size: body.length }],
      compatibilityDate: "2025-01-01",
    },
  };
  await k(env, namespace).create(version);
  return version;
}

const deploymentNumbers = new Map<string, number>();

/** Does what the API does for a deployment: a WorkerDeployment with the script's next number. */
export async function deploy(env: TestEnvInfo, namespace: string, script: string, split: [Pick<WorkerVersion, "spec"> | string, number][], account = ACCOUNT) {
  const deploymentId = randomUUID();
  const key = `${namespace}/${account}/${script}`;
  const number = (deploymentNumbers.get(key) ?? 0) + 1;
  deploymentNumbers.set(key, number);
  await k(env, namespace).create({
    apiVersion: "api.cf-worker/v1",
    kind: "WorkerDeployment",
    metadata: {
      name: deploymentId,
      labels: { [LABELS.account]: account, [LABELS.script]: script },
      annotations: { [CREATED_ON]: new Date().toISOString() },
      ownerReferences: await ensureScript(env, namespace, script, account),
    },
    spec: {
      accountId: account,
      scriptName: script,
      deploymentId,
      number,
      strategy: "percentage",
      versions: split.map(([v, percentage]) => ({ versionId: typeof v === "string" ? v : v.spec.versionId, percentage })),
    },
  });
  return deploymentId;
}

/**
 * Finishes a build Job the way a finished job-builder pod and the Job controller would: the program
 * reports the pushed image on the JobBuilder status, then the Job gets its terminal conditions.
 * (No kubelet runs in this environment, so no pod can really run; the e2e suite runs real builds.)
 */
export async function finishBuild(env: TestEnvInfo, namespace: string, jobName: string, outcome: "succeeded" | "failed", digest = createHash("sha256").update(jobName).digest("hex")) {
  const kc = k(env, namespace);
  const jb = (await kc.get("jobbuilder", jobName))!;
  if (outcome === "succeeded") {
    const image = `${jb.spec.image.repository}@sha256:${digest}`;
    await kc.patchStatus("jobbuilder", jobName, { imageDigest: `sha256:${digest}`, image }, "fireworkers-job-builder");
  }
  const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const job = (await kc.get("job", jobName))!;
  const conditions =
    outcome === "succeeded"
      ? [
          { type: "SuccessCriteriaMet", status: "True", reason: "CompletionsReached", message: "Reached expected number of succeeded pods", lastProbeTime: now, lastTransitionTime: now },
          { type: "Complete", status: "True", reason: "CompletionsReached", message: "Reached expected number of succeeded pods", lastProbeTime: now, lastTransitionTime: now },
        ]
      : [
          { type: "FailureTarget", status: "True", reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit", lastProbeTime: now, lastTransitionTime: now },
          { type: "Failed", status: "True", reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit", lastProbeTime: now, lastTransitionTime: now },
        ];
  await kc.patchStatus(
    "job",
    jobName,
    {
      startTime: job.status?.startTime ?? now,
      ...(outcome === "succeeded" ? { completionTime: now, succeeded: 1 } : { failed: 3 }),
      active: 0,
      ready: 0,
      terminating: 0,
      uncountedTerminatedPods: {},
      conditions,
    },
    "kube-controller-manager",
  );
}
