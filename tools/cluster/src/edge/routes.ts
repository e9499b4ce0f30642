// Pure: the edge proxy's routing table from Ingresses, Services and EndpointSlices, and the lookup of one
// request. Like ingress controllers do (ingress-nginx among them), requests go to the ready endpoints (pod
// IP + target port) directly, not to the ClusterIP: a new Service's ClusterIP answers only once kube-proxy
// has written its rules, and on this machine a packet to an unprogrammed ClusterIP leaves by the default
// route, where another host answers it.
// It follows the Ingress rules the operator writes for a bundle (networking.k8s.io/v1): one rule per
// worker host (`<script>.<subdomain>.<domain>`, path `/` Prefix) and one rule for the account's host
// (`<subdomain>.<domain>`) with a `/<script>` Prefix path per worker (the seed's path routes). Host-less
// rules, which other Ingresses may have, are the fallback; among paths the longest prefix wins.
import type { V1EndpointSlice, V1Ingress, V1Service } from "@kubernetes/client-node";

export interface Endpoint {
  host: string;
  port: number;
}

export interface Backend {
  /** namespace/name:port of the Service, for logs and errors. */
  service: string;
  /** Ready endpoints (not terminating); empty while no pod is ready. */
  endpoints: Endpoint[];
}

interface PathRoute {
  prefix: string;
  exact: boolean;
  backend: Backend;
}

export interface RouteTable {
  hosts: Map<string, PathRoute[]>;
  /** Rules without a host. */
  any: PathRoute[];
  /** Rules whose Service (or port) does not exist yet: reported, not routed. */
  unresolved: string[];
}

const key = (ns: string, name: string) => `${ns}/${name}`;

/** Ready endpoints of a Service's port, from its EndpointSlices (which name ports like the Service does). */
function readyEndpoints(slices: readonly V1EndpointSlice[], portName: string | undefined): Endpoint[] {
  const out: Endpoint[] = [];
  for (const slice of slices) {
    if (slice.addressType !== "IPv4") continue;
    const port = slice.ports?.find((p) => (p.name ?? "") === (portName ?? ""))?.port;
    if (!port) continue;
    for (const ep of slice.endpoints ?? []) {
      if (ep.conditions?.ready === false || ep.conditions?.terminating === true) continue;
      for (const address of ep.addresses) out.push({ host: address, port });
    }
  }
  return out.sort((a, b) => a.host.localeCompare(b.host) || a.port - b.port);
}

export function buildRoutes(
  ingresses: readonly V1Ingress[],
  services: readonly V1Service[],
  slices: readonly V1EndpointSlice[],
  ingressClass: string,
): RouteTable {
  const svcs = new Map(services.map((s) => [key(s.metadata!.namespace!, s.metadata!.name!), s]));
  const slicesOf = new Map<string, V1EndpointSlice[]>();
  for (const slice of slices) {
    const owner = slice.metadata?.labels?.["kubernetes.io/service-name"];
    if (!owner) continue;
    const k = key(slice.metadata!.namespace!, owner);
    slicesOf.set(k, [...(slicesOf.get(k) ?? []), slice]);
  }
  const table: RouteTable = { hosts: new Map(), any: [], unresolved: [] };
  for (const ing of ingresses) {
    if (ing.spec?.ingressClassName !== ingressClass || ing.metadata?.deletionTimestamp) continue;
    const ns = ing.metadata!.namespace!;
    for (const rule of ing.spec.rules ?? []) {
      for (const p of rule.http?.paths ?? []) {
        const ref = p.backend.service;
        if (!ref) continue;
        const svc = svcs.get(key(ns, ref.name));
        const port = svc?.spec?.ports?.find((sp) => (ref.port?.name ? sp.name === ref.port.name : sp.port === ref.port?.number));
        if (!svc || !port) {
          table.unresolved.push(`${rule.host ?? "*"}${p.path ?? "/"} -> ${key(ns, ref.name)}:${ref.port?.name ?? ref.port?.number}`);
          continue;
        }
        const route: PathRoute = {
          prefix: p.path || "/",
          exact: p.pathType === "Exact",
          backend: { service: `${key(ns, ref.name)}:${port.name ?? port.port}`, endpoints: readyEndpoints(slicesOf.get(key(ns, ref.name)) ?? [], port.name) },
        };
        if (rule.host) {
          const host = rule.host.toLowerCase();
          table.hosts.set(host, [...(table.hosts.get(host) ?? []), route]);
        } else {
          table.any.push(route);
        }
      }
    }
  }
  return table;
}

/** Ingress Prefix semantics: element-wise on `/`-separated path segments (`/a` matches `/a` and `/a/b`, not `/ab`). */
function matches(route: PathRoute, path: string): boolean {
  if (route.exact) return path === route.prefix;
  const prefix = route.prefix.replace(/\/+$/, "");
  return prefix === "" || path === prefix || path.startsWith(`${prefix}/`);
}

function longest(routes: PathRoute[], path: string): Backend | undefined {
  let best: PathRoute | undefined;
  for (const r of routes) if (matches(r, path) && (!best || r.prefix.length > best.prefix.length)) best = r;
  return best?.backend;
}

/** The backend for a request's Host header (port stripped, case-insensitive) and path, if any. */
export function route(table: RouteTable, hostHeader: string | undefined, url: string): Backend | undefined {
  const host = (hostHeader ?? "").replace(/:\d+$/, "").toLowerCase();
  const path = url.split("?")[0] || "/";
  const byHost = table.hosts.get(host);
  return (byHost && longest(byHost, path)) ?? longest(table.any, path);
}
