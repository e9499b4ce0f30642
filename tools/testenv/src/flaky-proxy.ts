// A tiny HTTP proxy for failure tests and byte counts: it really forwards every request to the registry, except that it
// can answer the first N requests with 503 itself, or cut connections once a number of body bytes has
// passed (the registry "going down" in the middle of a push). No registry behaviour is faked.
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface FlakyProxy {
  /** host:port of the proxy */
  host: string;
  requests: string[];
  /** Request body bytes forwarded so far (what clients pushed through it). */
  bodyBytes(): number;
  close(): Promise<void>;
}

export async function startFlakyProxy(
  target: string,
  options: { fail503First?: number; cutAfterBodyBytes?: number; rewriteLocation?: boolean } = {},
): Promise<FlakyProxy> {
  let failures = options.fail503First ?? 0;
  let bodyBytes = 0;
  let down = false;
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    if (down) return req.socket.destroy();
    if (failures > 0) {
      failures--;
      res.writeHead(503, { "content-type": "text/plain" }).end("proxy: simulated outage\n");
      return;
    }
    const upstream = request(`http://${target}${req.url}`, { method: req.method, headers: { ...req.headers, host: target } }, (up) => {
      const headers = { ...up.headers };
      // distribution sends absolute Locations to itself: keep the client talking to the proxy.
      if (headers.location) headers.location = headers.location.replace(`http://${target}`, `http://${proxyHost}`);
      res.writeHead(up.statusCode ?? 502, headers);
      up.pipe(res);
    });
    upstream.on("error", () => res.destroy());
    req.on("data", (chunk: Buffer) => {
      bodyBytes += chunk.length;
      if (options.cutAfterBodyBytes !== undefined && bodyBytes > options.cutAfterBodyBytes) {
        down = true;
        upstream.destroy();
        req.socket.destroy();
      }
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const proxyHost = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    host: proxyHost,
    requests,
    bodyBytes: () => bodyBytes,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
