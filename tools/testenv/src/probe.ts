import { request } from "node:https";

/** HTTP(S) GET that resolves to the status code; TLS is not verified (loopback readiness probes only). */
export function probe(url: string, headers: Record<string, string> = {}): Promise<number> {
  if (url.startsWith("http:")) return fetch(url, { headers }).then((r) => r.status);
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, rejectUnauthorized: false, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.end();
  });
}
