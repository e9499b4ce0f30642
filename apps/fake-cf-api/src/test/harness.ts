// Integration-test harness: the API (in process, or as real child processes), an account with a token, the
// real wrangler CLI, and direct views of what the API wrote into Kubernetes and S3. No mocks.
import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ListObjectsV2Command, GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { LABELS, type WorkerAccount, type WorkerKVNamespace } from "@fireworkers/crd-types";
import { KV_TITLE_LABEL, titleLabel } from "../domain/kv.ts";
import { ownerRef } from "../store/objects.ts";
import { KINDS, KubeConfig, type Kind, type KubeObject } from "@fireworkers/kube";
import { freePort, REPO_ROOT, runWrangler, s3Client, s3Env, startProcess, WRANGLER_4, type RunningProcess, type TestEnvInfo, type WranglerRun } from "@fireworkers/testenv";
import { buildApp } from "../app.ts";
import { loadConfig } from "../config.ts";
import { createKube, type Kube } from "../store/kube.ts";
import { Tokens } from "../store/tokens.ts";

/** wrangler projects from the API reference (w1, w1req, w2 and the secrets files), vendored. */
export const FIXTURES = join(import.meta.dirname, "fixtures/wrangler-reference");
export const OWN_FIXTURES = join(import.meta.dirname, "fixtures");

export function apiEnv(env: TestEnvInfo, namespace: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    KUBECONFIG: env.kube.kubeconfig,
    NAMESPACE: namespace,
    ...s3Env(env.s3),
    LOG_LEVEL: "info",
    ...extra,
  };
}

export function kubeFor(env: TestEnvInfo, namespace: string): Kube {
  const kc = new KubeConfig();
  kc.loadFromFile(env.kube.kubeconfig);
  return createKube(namespace, kc);
}

/** The KV namespaces the wrangler reference fixtures bind (w1, w1req: MY_KV; w2: CACHE). */
export const FIXTURE_KV_NAMESPACES = ["0f2ac74b498b48028cb68387c421e279", "5d1a0c7b1a2b4c3d8e9f00112233aabb"];

/**
 * A namespace with one WorkerAccount per id and a token scoped to each. The first account owns the
 * fixtures' KV namespaces (an upload binding a namespace the account does not own is refused).
 */
export async function setupAccounts(env: TestEnvInfo, namespace: string, accountIds: string[]) {
  const kube = kubeFor(env, namespace);
  await kube.create(KINDS.Namespace, { metadata: { name: namespace } }).catch(() => undefined);
  const tokens: Record<string, string> = {};
  for (const [i, id] of accountIds.entries()) {
    const account = await kube.create(KINDS.WorkerAccount, { apiVersion: "api.cf-worker/v1", kind: "WorkerAccount", metadata: { name: id }, spec: { workerBundleName: id } });
    tokens[id] = (await new Tokens(kube).issue({ accounts: [id], name: `owner-${id.slice(0, 6)}` })).token;
    if (i === 0) for (const ns of FIXTURE_KV_NAMESPACES) await createKvNamespace(kube, account, ns, `fixture-${ns.slice(0, 6)}`);
  }
  return { kube, tokens, s3: s3Client(env.s3) };
}

/** A WorkerKVNamespace with a given id (as an administrator would make one; the API picks random ids). */
export async function createKvNamespace(kube: Kube, account: WorkerAccount, id: string, title: string): Promise<WorkerKVNamespace> {
  return kube.create(KINDS.WorkerKVNamespace, {
    apiVersion: "api.cf-worker/v1",
    kind: "WorkerKVNamespace",
    metadata: { name: id, labels: { [LABELS.account]: account.metadata.name, [KV_TITLE_LABEL]: titleLabel(title) }, ownerReferences: [ownerRef(account)] },
    spec: { accountId: account.metadata.name, title },
  });
}

/** The API in this process, on a free port (buildApp + listen). */
export async function startApiInProcess(env: TestEnvInfo, namespace: string, extra: Record<string, string> = {}, kube?: Kube) {
  const config = loadConfig({ ...apiEnv(env, namespace, { LOG_LEVEL: process.env.FAKE_CF_API_TEST_LOG ?? "silent", ...extra }), HOST: "127.0.0.1", PORT: "0" });
  const app = buildApp({ config, kube: kube ?? kubeFor(env, namespace) });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const { port } = app.server.address() as { port: number };
  return { app, url: `http://127.0.0.1:${port}`, close: () => app.close() };
}

export interface ApiProcess {
  url: string;
  pid: number;
  logFile: string;
  stop(): Promise<void>;
}

/** The API as a real process (`node apps/fake-cf-api/src/main.ts`), logs under the environment's log dir. */
export async function startApiProcess(env: TestEnvInfo, namespace: string, name: string, extra: Record<string, string> = {}): Promise<ApiProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const p: RunningProcess = await startProcess({
    name,
    command: env.tools.node,
    args: [join(REPO_ROOT, "apps/fake-cf-api/src/main.ts")],
    env: { ...apiEnv(env, namespace, extra), HOST: "127.0.0.1", PORT: String(port) },
    logDir: env.logDir,
    ready: async () => (await fetch(`${url}/readyz`)).status === 200,
  });
  return { url, pid: p.pid, logFile: p.logFile, stop: () => p.stop() };
}

/** A copy of a wrangler fixture project in a temp dir (wrangler writes caches next to it). */
export function copyFixture(dir: string, name: string): string {
  const root = mkdtempSync(join(tmpdir(), `fixture-${name}-`));
  cpSync(join(dir, name), join(root, name), { recursive: true });
  for (const f of ["secrets.json", "secrets-del.json", "secrets.env"]) cpSync(join(FIXTURES, f), join(root, f));
  return join(root, name);
}

export type { WranglerRun } from "@fireworkers/testenv";

/** Runs the real wrangler CLI (4.x pinned, or 3.114) against the API, non-interactive like CI. */
export function wrangler(opts: { version: 3 | 4; env: TestEnvInfo; cwd: string; apiUrl: string; token: string; accountId: string; args: string[]; input?: string }): Promise<WranglerRun> {
  return runWrangler({ ...opts, script: opts.version === 4 ? WRANGLER_4 : opts.env.tools.wrangler3 });
}

export const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

/** Objects of a kind for one script, as the API sees them in Kubernetes (including ones being deleted). */
export async function listFor<T extends KubeObject>(kube: Kube, kind: Kind<T>, accountId: string, scriptName: string): Promise<T[]> {
  return (await kube.list(kind, { labelSelector: { [LABELS.account]: accountId, [LABELS.script]: scriptName } })).items;
}

export async function s3Keys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    keys.push(...(page.Contents ?? []).map((o) => o.Key!));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys.sort();
}

export async function s3Get(s3: S3Client, bucket: string, key: string): Promise<Buffer> {
  const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await got.Body!.transformToByteArray());
}
