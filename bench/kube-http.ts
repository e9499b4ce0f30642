// A minimal apiserver client for benchmarks: plain HTTPS with keep-alive, the test environment's admin
// token and CA. No kubectl process per request, so the benchmark itself stays out of the measurement.
import { readFileSync } from "node:fs";
import { Agent, request } from "node:https";
import type { KubeInfo } from "@fireworkers/testenv";

export interface KubeObject {
  metadata: { name: string; resourceVersion?: string; [k: string]: any };
  [k: string]: any;
}

export type WatchEvent = { type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR"; object: KubeObject };

export function kubeHttp(kube: Pick<KubeInfo, "server" | "token" | "caFile">) {
  const agent = new Agent({ keepAlive: true, maxSockets: 32, ca: readFileSync(kube.caFile) });
  const base = new URL(kube.server);

  function send(method: string, path: string, body?: unknown, contentType = "application/json"): Promise<any> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = request(
        {
          agent,
          host: base.hostname,
          port: base.port,
          method,
          path,
          headers: {
            authorization: `Bearer ${kube.token}`,
            accept: "application/json",
            ...(payload ? { "content-type": contentType, "content-length": payload.length } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            if ((res.statusCode ?? 500) >= 300) reject(new Error(`${method} ${path}: ${res.statusCode} ${text.slice(0, 500)}`));
            else resolve(text ? JSON.parse(text) : undefined);
          });
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(payload);
    });
  }

  return {
    get: (path: string) => send("GET", path),
    post: (path: string, body: unknown) => send("POST", path, body),
    mergePatch: (path: string, body: unknown) => send("PATCH", path, body, "application/merge-patch+json"),
    send,
    /**
     * Lists `path`, then watches it from the list's resourceVersion, calling `onEvent` for every
     * object (the listed ones as ADDED). Returns a stop function once the list is delivered.
     */
    async watch(path: string, onEvent: (e: WatchEvent) => void): Promise<() => void> {
      const list = await send("GET", path);
      for (const object of list.items as KubeObject[]) onEvent({ type: "ADDED", object });
      let stopped = false;
      let current: ReturnType<typeof request> | undefined;
      let resourceVersion: string = list.metadata.resourceVersion;
      const open = () => {
        if (stopped) return;
        const sep = path.includes("?") ? "&" : "?";
        current = request(
          {
            agent: false,
            ca: agent.options.ca,
            host: base.hostname,
            port: base.port,
            method: "GET",
            path: `${path}${sep}watch=1&allowWatchBookmarks=true&resourceVersion=${resourceVersion}`,
            headers: { authorization: `Bearer ${kube.token}`, accept: "application/json" },
          },
          (res) => {
            let buffer = "";
            res.setEncoding("utf8");
            res.on("data", (chunk: string) => {
              buffer += chunk;
              for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
                const line = buffer.slice(0, nl);
                buffer = buffer.slice(nl + 1);
                if (!line.trim()) continue;
                const event = JSON.parse(line) as WatchEvent;
                if (event.type === "ERROR") throw new Error(`watch ${path}: ${JSON.stringify(event.object)}`);
                if (event.object.metadata?.resourceVersion) resourceVersion = event.object.metadata.resourceVersion;
                if (event.type !== "BOOKMARK") onEvent(event);
              }
            });
            res.on("end", open);
            res.on("error", () => setTimeout(open, 100));
          },
        );
        current.on("error", () => !stopped && setTimeout(open, 100));
        current.end();
      };
      open();
      return () => {
        stopped = true;
        current?.destroy();
      };
    },
    close: () => agent.destroy(),
  };
}
