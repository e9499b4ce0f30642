import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface HealthServerOptions {
  host: string;
  port: number;
  /** Liveness: the process works (default: always). */
  healthy?: () => boolean;
  /** Readiness: the process can do its job now. */
  ready: () => boolean;
  /** Extra GET routes, e.g. /metrics. */
  routes?: Record<string, () => Promise<{ contentType: string; body: string }>>;
}

/** A tiny HTTP server for /healthz, /readyz (and /metrics) of the processes that have no API of their own. */
export async function startHealthServer(options: HealthServerOptions): Promise<{ server: Server; port: number; close: () => Promise<void> }> {
  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const check = path === "/healthz" ? (options.healthy ?? (() => true)) : path === "/readyz" ? options.ready : undefined;
    if (check) {
      const ok = check();
      res.writeHead(ok ? 200 : 503, { "content-type": "text/plain" }).end(ok ? "ok" : "not ready");
      return;
    }
    const route = req.method === "GET" ? options.routes?.[path] : undefined;
    if (!route) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    try {
      const { contentType, body } = await route();
      res.writeHead(200, { "content-type": contentType }).end(body);
    } catch (err) {
      res.writeHead(500, { "content-type": "text/plain" }).end(String(err));
    }
  });
  await new Promise<void>((resolve) => server.listen(options.port, options.host, resolve));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
