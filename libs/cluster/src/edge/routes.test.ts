import type { V1Ingress, V1Service } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { buildRoutes, route } from "./routes.ts";

const svc = (name: string, clusterIP: string): V1Service => ({
  metadata: { namespace: "fireworkers", name },
  spec: { clusterIP, ports: [{ name: "http", port: 80 }, { name: "w0", port: 8080 }] },
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
    "fireworkers-edge",
  );

  it("routes by exact host, ignoring case and port", () => {
    expect(route(table, "API.acme.workers.local:8080", "/x?y=1")).toEqual({ service: "fireworkers/acme", host: "10.96.0.10", port: 80 });
    expect(route(table, "api.other.workers.local", "/")?.host).toBe("10.96.0.11");
  });

  it("falls back to host-less path prefixes, segment-wise", () => {
    expect(route(table, "10.244.0.1", "/web/a")?.service).toBe("fireworkers/acme");
    expect(route(table, "10.244.0.1", "/webx")).toBeUndefined();
  });

  it("ignores other ingress classes and unknown hosts", () => {
    expect(route(table, "x.foreign.workers.local", "/")).toBeUndefined();
    expect(route(table, "nope.acme.workers.local", "/nothing")).toBeUndefined();
  });

  it("reports rules whose Service does not exist yet", () => {
    const t = buildRoutes([bundleIngress("late", ["a"])], [], "fireworkers-edge");
    expect(t.hosts.size).toBe(0);
    expect(t.unresolved).toEqual(["a.late.workers.local/ -> fireworkers/late:http", "*/a -> fireworkers/late:http"]);
  });
});
