// Test harness: the gateway in this process against the test environment's apiserver and S3, with the
// exact RBAC of deploy/bindings-gateway; and a real workerd whose KV bindings go through the platform's
// kv-binding worker (libs/workerd-config/src/runtime/kv-binding.mjs) to it.
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeClient, KubeConfig } from "@fireworkers/kube";
import { parseAllDocuments } from "yaml";
import { checkGatewayKey, mintCredential } from "@fireworkers/bindings-auth";
import { API_VERSION, LABELS, S3_FINALIZER } from "@fireworkers/crd-types";
import { createLogger } from "@fireworkers/observability";
import { freePort, kubectl, REPO_ROOT, s3Client, startProcess, type RunningProcess, type TestEnvInfo } from "@fireworkers/testenv";
import { buildGateway, type Gateway } from "../app.ts";
import { loadConfig } from "../config.ts";
import { KubeNamespaceDirectory } from "../namespaces.ts";

export const newNamespaceId = () => randomBytes(16).toString("hex");

/** A kubeconfig of the gateway's ServiceAccount with deploy/bindings-gateway's Role, in `namespace`. */
export async function gatewayKubeconfig(env: TestEnvInfo, namespace: string): Promise<string> {
  await kubectl(env.kube, ["create", "namespace", namespace]).catch(() => undefined);
  const docs = parseAllDocuments(await kubectl(env.kube, ["kustomize", join(REPO_ROOT, "deploy/bindings-gateway")])).map((d) => d.toJS());
  for (const doc of docs) {
    doc.metadata.namespace = namespace;
    for (const subject of doc.subjects ?? []) subject.namespace = namespace;
  }
  await kubectl(env.kube, ["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: docs }));
  const token = (await kubectl(env.kube, ["create", "token", "bindings-gateway", "-n", namespace, "--duration=2h"])).trim();
  const path = join(env.dir, `kubeconfig-gateway-${namespace}`);
  const config = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "test", cluster: { server: env.kube.server, "certificate-authority": env.kube.caFile } }],
    users: [{ name: "gateway", user: { token } }],
    contexts: [{ name: "test", context: { cluster: "test", user: "gateway", namespace } }],
    "current-context": "test",
  };
  await writeFile(path, JSON.stringify(config), { mode: 0o600 });
  return path;
}

/** Creates a WorkerKVNamespace (as the API does: labelled, with the data finalizer). */
export async function createKvNamespace(env: TestEnvInfo, namespace: string, id: string, accountId: string, title = `t-${id}`): Promise<void> {
  const object = {
    apiVersion: API_VERSION,
    kind: "WorkerKVNamespace",
    metadata: { name: id, namespace, labels: { [LABELS.account]: accountId }, finalizers: [S3_FINALIZER] },
    spec: { accountId, title },
  };
  await kubectl(env.kube, ["create", "-f", "-"], JSON.stringify(object));
}

export interface RunningGateway {
  gateway: Gateway;
  url: string;
  port: number;
  key: Buffer;
  credential(accountId: string): string;
  stop(): Promise<void>;
}

export async function startGateway(env: TestEnvInfo, namespace: string, extra: Record<string, string> = {}, now?: () => number): Promise<RunningGateway> {
  const keyText = randomBytes(32).toString("base64url");
  const config = loadConfig({
    NAMESPACE: namespace,
    S3_ENDPOINT: env.s3.endpoint,
    S3_REGION: env.s3.region,
    S3_BUCKET: env.s3.bucket,
    S3_ACCESS_KEY_ID: env.s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: env.s3.secretAccessKey,
    BINDINGS_GATEWAY_KEY: keyText,
    LOG_LEVEL: "warn",
    KV_SWEEP_INTERVAL_SECONDS: "0",
    ...extra,
  });
  const kc = new KubeConfig();
  kc.loadFromFile(await gatewayKubeconfig(env, namespace));
  const directory = new KubeNamespaceDirectory(new KubeClient(kc, { namespace, fieldManager: "bindings-gateway" }), createLogger("test-directory", { level: "warn" }));
  await directory.start();
  const s3 = s3Client(env.s3);
  const gateway = buildGateway({ config, s3, directory, now });
  await gateway.listen({ host: "127.0.0.1", port: 0 });
  const port = (gateway.server.address() as { port: number }).port;
  const key = checkGatewayKey(keyText);
  return {
    gateway,
    port,
    url: `http://127.0.0.1:${port}`,
    key,
    credential: (accountId) => mintCredential(key, accountId),
    stop: async () => {
      directory.stop();
      await gateway.close();
      s3.destroy();
    },
  };
}

export interface KvBindingSpec {
  name: string;
  namespaceId: string;
}

/**
 * A real workerd: the tenant worker `ops.js` (POST / with {op, ...} runs one KV call) with the given KV
 * bindings, each pointing at the platform's kv-binding worker with its namespace id in props; the
 * credential comes from the environment.
 */
export async function startWorkerd(
  env: TestEnvInfo,
  gatewayPort: number,
  credential: string,
  bindings: KvBindingSpec[],
): Promise<RunningProcess & { url: string }> {
  const dir = mkdtempSync(join(tmpdir(), "kv-workerd-"));
  writeFileSync(join(dir, "ops.js"), OPS_WORKER);
  writeFileSync(join(dir, "kv-binding.mjs"), await import("node:fs").then((fs) => fs.readFileSync(join(REPO_ROOT, "libs/workerd-config/src/runtime/kv-binding.mjs"))));
  const kv = bindings.map((b) => `(name = ${JSON.stringify(b.name)}, kvNamespace = (name = "fireworkers:kv", props = (json = ${JSON.stringify(JSON.stringify({ namespace: b.namespaceId }))})))`);
  writeFileSync(
    join(dir, "config.capnp"),
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "tenant", worker = (modules = [(name = "ops.js", esModule = embed "ops.js")], compatibilityDate = "2025-01-01",
      bindings = [${kv.join(", ")}, (name = "GATEWAY_URL", text = "http://127.0.0.1:${gatewayPort}")])),
    (name = "fireworkers:kv", worker = (modules = [(name = "kv-binding.mjs", esModule = embed "kv-binding.mjs")], compatibilityDate = "2025-01-01",
      bindings = [(name = "CREDENTIAL", fromEnvironment = "FIREWORKERS_BINDINGS_CREDENTIAL"), (name = "GATEWAY", service = "fireworkers:bindings-gateway")])),
    (name = "fireworkers:bindings-gateway", external = (address = "127.0.0.1:${gatewayPort}", http = ())),
  ],
  sockets = [(name = "http", address = "127.0.0.1:0", http = (), service = "tenant")],
);
`,
  );
  const port = await freePort();
  const proc = await startProcess({
    name: `workerd-kv-${port}`,
    command: env.tools.workerd,
    args: ["serve", join(dir, "config.capnp"), "-s", `http=127.0.0.1:${port}`],
    env: { FIREWORKERS_BINDINGS_CREDENTIAL: credential },
    logDir: env.logDir,
    ready: async () => (await fetch(`http://127.0.0.1:${port}/`).catch(() => null)) !== null,
  });
  return { ...proc, url: `http://127.0.0.1:${port}` };
}

/** Runs one KV operation in the tenant worker; answers {ok, result} or {ok: false, error}. */
export async function op(workerd: { url: string }, body: Record<string, unknown>): Promise<{ ok: boolean; result?: any; error?: string }> {
  const res = await fetch(workerd.url, { method: "POST", body: JSON.stringify(body) });
  return (await res.json()) as { ok: boolean; result?: any; error?: string };
}

// The tenant's code: ordinary Worker code using env.<binding>, plus attacks for the isolation tests.
const OPS_WORKER = `
export default {
  async fetch(request, env) {
    if (request.method !== "POST") return new Response("ready");
    const a = await request.json();
    const kv = env[a.binding ?? "KV"];
    try {
      let result;
      switch (a.op) {
        case "put": await kv.put(a.key, a.value, a.options); break;
        case "putBytes": await kv.put(a.key, new Uint8Array(a.size).fill(a.fill ?? 7)); break;
        case "putStream": {
          const chunk = new Uint8Array(1024 * 1024).fill(1);
          let left = a.size;
          const stream = new ReadableStream({ pull(c) { if (left <= 0) return c.close(); const n = Math.min(left, chunk.length); left -= n; c.enqueue(chunk.subarray(0, n)); } });
          await kv.put(a.key, stream, a.options);
          break;
        }
        case "get": {
          const v = await kv.get(a.key, a.options);
          result = v instanceof ArrayBuffer ? { bytes: v.byteLength } : v;
          break;
        }
        case "getStream": {
          const s = await kv.get(a.key, "stream");
          if (s === null) { result = null; break; }
          let bytes = 0;
          for await (const c of s) bytes += c.byteLength;
          result = { bytes };
          break;
        }
        case "getWithMetadata": result = await kv.getWithMetadata(a.key, a.options); break;
        case "bulkGet": result = Object.fromEntries(await kv.get(a.keys, a.options)); break;
        case "bulkGetWithMetadata": result = Object.fromEntries(await kv.getWithMetadata(a.keys, a.options)); break;
        case "list": result = await kv.list(a.options); break;
        case "delete": await kv.delete(a.key); break;
        case "rawFetch": {
          const res = await fetch(a.url, { method: a.method ?? "GET", headers: a.headers, body: a.body });
          result = { status: res.status, body: await res.text() };
          break;
        }
        case "bindings": result = Object.keys(env).sort(); break;
        default: throw new Error("unknown op " + a.op);
      }
      return Response.json({ ok: true, result });
    } catch (err) {
      return Response.json({ ok: false, error: String(err && err.message || err) });
    }
  },
};
`;
