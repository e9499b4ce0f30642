// Requests to deployed workers through the platform's serving path: the edge proxy (standing in for the
// ingress controller) -> the bundle Service (kube-proxy) -> a workerd pod's router socket.
import http from "node:http";
import { eventually, type EventuallyOptions } from "@fireworkers/testenv";

export interface WorkerAnswer {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

// node:http, not fetch: fetch (undici) does not let a caller set the Host header, which is what routes here.
export function fetchVia(edgeUrl: string, host: string, path = "/", headers: Record<string, string> = {}): Promise<WorkerAnswer> {
  const url = new URL(edgeUrl);
  return new Promise((resolve, reject) => {
    const req = http.get({ host: url.hostname, port: url.port || 80, path, headers: { ...headers, host }, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8"), headers: res.headers }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`no answer from ${edgeUrl} for ${host}${path} within 10 s`)));
    req.on("error", reject);
  });
}

/** How long the cluster may take for anything the e2e tests wait on (pulls, rollouts, builds). */
export const CLUSTER_WAIT: EventuallyOptions = { timeoutMs: 120_000, intervalMs: 250 };

/** Waits until the worker at `host` answers 200 with a body satisfying `ok`; returns that body. */
export function untilAnswers(edgeUrl: string, host: string, ok: (body: string) => boolean, timeoutMs = 120_000, path = "/"): Promise<string> {
  return eventually(
    `${host}${path} to answer as expected`,
    async () => {
      const r = await fetchVia(edgeUrl, host, path);
      if (r.status === 200 && ok(r.body)) return r.body;
      throw new Error(`answered ${r.status} ${JSON.stringify(r.headers)}: ${r.body.slice(0, 300)}`);
    },
    { ...CLUSTER_WAIT, timeoutMs },
  );
}
