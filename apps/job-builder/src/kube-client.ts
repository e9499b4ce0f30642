// The two Kubernetes calls the job-builder makes (read its JobBuilder, apply its status), over node:https
// with the pod's service account, or a kubeconfig (KUBECONFIG) outside a cluster. A whole client library
// for two requests is not worth its weight in the build image.
import { readFileSync } from "node:fs";
import { request } from "node:https";
import { parse as parseYaml } from "yaml";

export interface KubeConnection {
  server: string;
  ca?: Buffer;
  token?: string;
  cert?: Buffer;
  key?: Buffer;
  insecure?: boolean;
}

const SA_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

export function kubeConnectionFromEnv(env: NodeJS.ProcessEnv): KubeConnection {
  if (env.KUBECONFIG) return fromKubeconfig(env.KUBECONFIG);
  if (env.KUBERNETES_SERVICE_HOST) {
    const host = env.KUBERNETES_SERVICE_HOST.includes(":") ? `[${env.KUBERNETES_SERVICE_HOST}]` : env.KUBERNETES_SERVICE_HOST;
    return {
      server: `https://${host}:${env.KUBERNETES_SERVICE_PORT ?? "443"}`,
      ca: readFileSync(`${SA_DIR}/ca.crt`),
      // Read once: the build is short, far shorter than a projected token's lifetime.
      token: readFileSync(`${SA_DIR}/token`, "utf8").trim(),
    };
  }
  throw new Error("no Kubernetes API: set KUBECONFIG, or run in a pod (KUBERNETES_SERVICE_HOST)");
}

interface Kubeconfig {
  "current-context"?: string;
  contexts?: { name: string; context: { cluster: string; user: string } }[];
  clusters?: { name: string; cluster: { server: string; "certificate-authority"?: string; "certificate-authority-data"?: string; "insecure-skip-tls-verify"?: boolean } }[];
  users?: { name: string; user: { token?: string; tokenFile?: string; "client-certificate"?: string; "client-certificate-data"?: string; "client-key"?: string; "client-key-data"?: string } }[];
}

function fromKubeconfig(path: string): KubeConnection {
  const doc = parseYaml(readFileSync(path, "utf8")) as Kubeconfig;
  const context = doc.contexts?.find((c) => c.name === doc["current-context"])?.context ?? doc.contexts?.[0]?.context;
  const cluster = doc.clusters?.find((c) => c.name === context?.cluster)?.cluster;
  const user = doc.users?.find((u) => u.name === context?.user)?.user ?? {};
  if (!cluster) throw new Error(`kubeconfig ${path}: no cluster for the current context`);
  const fileOrData = (file?: string, data?: string) => (data ? Buffer.from(data, "base64") : file ? readFileSync(file) : undefined);
  return {
    server: cluster.server,
    ca: fileOrData(cluster["certificate-authority"], cluster["certificate-authority-data"]),
    insecure: cluster["insecure-skip-tls-verify"],
    token: user.token ?? (user.tokenFile ? readFileSync(user.tokenFile, "utf8").trim() : undefined),
    cert: fileOrData(user["client-certificate"], user["client-certificate-data"]),
    key: fileOrData(user["client-key"], user["client-key-data"]),
  };
}

/** One request to the apiserver; resolves to the parsed JSON body, rejects with the apiserver's message. */
export function kubeRequest(conn: KubeConnection, method: string, path: string, body?: unknown, contentType = "application/json"): Promise<unknown> {
  const url = new URL(path, conn.server);
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        ca: conn.ca,
        cert: conn.cert,
        key: conn.key,
        rejectUnauthorized: !conn.insecure,
        headers: {
          accept: "application/json",
          ...(conn.token ? { authorization: `Bearer ${conn.token}` } : {}),
          ...(payload ? { "content-type": contentType, "content-length": String(payload.length) } : {}),
        },
        timeout: 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // keep the text
          }
          if ((res.statusCode ?? 500) >= 300) {
            const message = (parsed as { message?: string })?.message ?? text.slice(0, 300);
            reject(new Error(`${method} ${url.pathname}: HTTP ${res.statusCode}: ${message}`));
          } else resolve(parsed);
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${method} ${url.pathname}: timed out`)));
    req.on("error", (err) => reject(new Error(`${method} ${url.pathname}: ${err.message}`, { cause: err })));
    req.end(payload);
  });
}
