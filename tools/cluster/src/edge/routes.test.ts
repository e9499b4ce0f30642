import type { V1EndpointSlice, V1Ingress, V1Service } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { buildRoutes, route } from "./routes.ts";

const svc = (name: string, clusterIP: string): V1Service => ({
  metadata: { namespace: "fireworkers", name },
  spec: { clusterIP, ports: [{ name: "http", port: 80 }, { name: "w0", port: 8080 }] },
});

// What the EndpointSlice controller writes: ports named like the Service's, the endpoint's target port.
const slice = (service: string, ...pods: [string, boolean?][]): V1EndpointSlice => ({
  addressType: "IPv4",
  metadata: { namespace: "fireworkers", name: `${service}-x1`, labels: { "kubernetes.io/service-name": service } },
  ports: [{ name: "http", port: 8000 }, { name: "w0", port: 8080 }],
  endpoints: pods.map(([ip, terminating]) => ({ addresses: [ip], conditions: { ready: !terminating, terminating: Boolean(terminating) } })),
});

// The shape the operator writes for a bundle (apps/operator/src/desired/workloads.ts).
const bundleIngress = (name: string, scripts: string[], cls = "fireworkers-edge"): V1Ingress => {
  const backend = { service: { name, port: { name: "http" } } };
  return {
    metadata: { namespace: "fireworkers", name },
    spec: {
      ingressClassName: cls,
      rules: [
        ...scripts.map((s) => ({ host: `${s}.${name}.workers.local`, http: { paths: [{ path: "/", pathType: "Prefix", backend }] } })),
        { http: { paths: scripts.map((s) => ({ path: `/${s}`, pathType: "Prefix", backend })) } },
      ],
    },
  };
};

describe("edge routes", () => {
  const table = buildRoutes(
    [bundleIngress("acme", ["api", "web"]), bundleIngress("other", ["api"]), bundleIngress("foreign", ["x"], "nginx")],
    [svc("acme", "10.96.0.10"), svc("other", "10.96.0.11"), svc("foreign", "10.96.0.12")],
    [slice("acme", ["10.244.0.7"], ["10.244.0.5", true]), slice("other", ["10.244.0.9"]), slice("foreign", ["10.244.0.4"])],
    "fireworkers-edge",
  );

  it("routes by exact host, ignoring case and port, to the ready endpoints' target port", () => {
    expect(route(table, "API.acme.workers.local:8080", "/x?y=1")).toEqual({ service: "fireworkers/acme:http", endpoints: [{ host: "10.244.0.7", port: 8000 }] });
    expect(route(table, "api.other.workers.local", "/")?.endpoints).toEqual([{ host: "10.244.0.9", port: 8000 }]);
  });

  it("knows a route without a ready endpoint (so the proxy can answer 503, not 404)", () => {
    const t = buildRoutes([bundleIngress("acme", ["api"])], [svc("acme", "10.96.0.10")], [slice("acme", ["10.244.0.5", true])], "fireworkers-edge");
    expect(route(t, "api.acme.workers.local", "/")).toEqual({ service: "fireworkers/acme:http", endpoints: [] });
  });

  it("falls back to host-less path prefixes, segment-wise", () => {
    expect(route(table, "10.244.0.1", "/web/a")?.service).toBe("fireworkers/acme:http");
    expect(route(table, "10.244.0.1", "/webx")).toBeUndefined();
  });

  it("ignores other ingress classes and unknown hosts", () => {
    expect(route(table, "x.foreign.workers.local", "/")).toBeUndefined();
    expect(route(table, "nope.acme.workers.local", "/nothing")).toBeUndefined();
  });

  it("reports rules whose Service does not exist yet", () => {
    const t = buildRoutes([bundleIngress("late", ["a"])], [], [], "fireworkers-edge");
    expect(t.hosts.size).toBe(0);
    expect(t.unresolved).toEqual(["a.late.workers.local/ -> fireworkers/late:http", "*/a -> fireworkers/late:http"]);
  });
});
