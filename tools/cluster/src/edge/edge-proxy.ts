#!/usr/bin/env node
// The local cluster's edge: a host-side HTTP proxy that STANDS IN FOR AN INGRESS CONTROLLER on the
// single-node cluster (which has none). It watches the Ingresses of its class, the Services they name and
// their EndpointSlices, and forwards each request by Host header, else by path prefix, to a ready pod of the
// Service (round robin; pod IPs are on the node's bridge). It speaks plain HTTP/1.1 only: no TLS, no
// annotations, no rewrites.
// On a real cluster an ingress controller (e.g. ingress-nginx, deploy/example) reads the same Ingresses.
//
//   KUBECONFIG          credentials to watch Ingresses and Services (all namespaces)
//   EDGE_LISTEN         host:port to listen on (the supervisor uses <node IP>:80)
//   EDGE_INGRESS_CLASS  the ingressClassName served (default fireworkers-edge)
import http from "node:http";
import { CoreV1Api, DiscoveryV1Api, KubeConfig, makeInformer, NetworkingV1Api, type V1EndpointSlice, type V1Ingress, type V1Service } from "@kubernetes/client-node";
import { buildRoutes, route, type Backend, type Endpoint, type RouteTable } from "./routes.ts";

const listen = process.env.EDGE_LISTEN ?? "127.0.0.1:8088";
const ingressClass = process.env.EDGE_INGRESS_CLASS ?? "fireworkers-edge";
const log = (msg: string, extra: Record<string, unknown> = {}) =>
  console.log(JSON.stringify({ time: new Date().toISOString(), service: "edge-proxy", msg, ...extra }));

const kc = new KubeConfig();
kc.loadFromDefault();
const net = kc.makeApiClient(NetworkingV1Api);
const core = kc.makeApiClient(CoreV1Api);
const ingresses = makeInformer<V1Ingress>(kc, "/apis/networking.k8s.io/v1/ingresses", () => net.listIngressForAllNamespaces());
const services = makeInformer<V1Service>(kc, "/api/v1/services", () => core.listServiceForAllNamespaces());
const discovery = kc.makeApiClient(DiscoveryV1Api);
const slices = makeInformer<V1EndpointSlice>(kc, "/apis/discovery.k8s.io/v1/endpointslices", () => discovery.listEndpointSliceForAllNamespaces());

let table: RouteTable = { hosts: new Map(), any: [], unresolved: [] };
let lastSummary = "";
function rebuild(): void {
  table = buildRoutes(ingresses.list(), services.list(), slices.list(), ingressClass);
  const summary = JSON.stringify({ hosts: [...table.hosts.keys()].sort(), paths: table.any.map((r) => r.prefix).sort(), unresolved: table.unresolved });
  if (summary !== lastSummary) log("routes changed", JSON.parse(summary));
  lastSummary = summary;
}
function follow<T extends V1Ingress | V1Service | V1EndpointSlice>(inf: ReturnType<typeof makeInformer<T>>): void {
  inf.on("add", rebuild);
  inf.on("update", rebuild);
  inf.on("delete", rebuild);
  // The informer stops on a watch error (e.g. the apiserver restarted): start it again after a pause.
  inf.on("error", (err: unknown) => {
    log("watch failed, restarting", { err: String((err as Error)?.message ?? err) });
    setTimeout(() => void inf.start().catch(() => undefined), 2000);
  });
}
follow(ingresses);
follow(services);
follow(slices);

// Keep-alive to the pods: a connection per request would cost more than the proxying itself.
const agent = new http.Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 256 });
let turn = 0;
const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS"]);

function fail(res: http.ServerResponse, status: number, kind: string, text: string): void {
  if (res.headersSent) return void res.destroy();
  res.writeHead(status, { "content-type": "text/plain", "x-fireworkers-error": kind });
  res.end(`fireworkers edge: ${text}\n`);
}

/**
 * Sends the request to one endpoint. A request without a body that fails before any answer (a pod that just
 * went away, a reused connection the pod closed) is tried on the next endpoint, up to once per endpoint.
 */
function forward(req: http.IncomingMessage, res: http.ServerResponse, backend: Backend, headers: http.OutgoingHttpHeaders, attempt: number): void {
  const ep: Endpoint = backend.endpoints[(turn++ & 0x7fffffff) % backend.endpoints.length]!;
  const upstream = http.request({ host: ep.host, port: ep.port, method: req.method, path: req.url, headers, agent }, (up) => {
    res.writeHead(up.statusCode ?? 502, up.rawHeaders as unknown as http.OutgoingHttpHeaders);
    up.pipe(res);
  });
  upstream.on("error", (err) => {
    if (!res.headersSent && IDEMPOTENT.has(req.method ?? "") && attempt < backend.endpoints.length + 1) return forward(req, res, backend, headers, attempt + 1);
    fail(res, 502, "upstream", `${backend.service} (${ep.host}:${ep.port}) failed: ${err.message}`);
  });
  if (IDEMPOTENT.has(req.method ?? "")) upstream.end();
  else req.pipe(upstream);
}

const server = http.createServer((req, res) => {
  const backend = route(table, req.headers.host, req.url ?? "/");
  if (!backend) return fail(res, 404, "no-ingress", `no Ingress of class ${ingressClass} matches host "${req.headers.host ?? ""}" and path "${req.url}"`);
  if (backend.endpoints.length === 0) return fail(res, 503, "no-endpoints", `${backend.service} has no ready pod`);
  const remote = req.socket.remoteAddress ?? "";
  const headers = {
    ...req.headers,
    "x-forwarded-for": req.headers["x-forwarded-for"] ? `${req.headers["x-forwarded-for"]}, ${remote}` : remote,
    "x-forwarded-host": req.headers.host ?? "",
    "x-forwarded-proto": "http",
  };
  // A GET's (empty) body is consumed here so that a retry never waits for it.
  if (IDEMPOTENT.has(req.method ?? "")) req.resume();
  forward(req, res, backend, headers, 1);
});
server.keepAliveTimeout = 65_000;

const [host, port] = [listen.slice(0, listen.lastIndexOf(":")), Number(listen.slice(listen.lastIndexOf(":") + 1))];
await Promise.all([ingresses.start(), services.start(), slices.start()]);
rebuild();
server.listen(port, host, () => log("listening", { listen, ingressClass }));
// /healthz of the proxy itself is any request: the supervisor probes the port.
const stop = () => server.close(() => process.exit(0));
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
