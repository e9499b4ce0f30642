// The NetworkPolicies of deploy/base (bundle pods: in from the edge and the platform only; out to DNS, the
// bindings gateway and public addresses only), as both overlays build them, are accepted by the real
// kube-apiserver and say what the README says. Enforcement needs a NetworkPolicy implementation in the
// cluster; why the local cluster has none is in the README (Network isolation).
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { goBinary, kubectl, REPO_ROOT } from "@fireworkers/testenv";
import { afterAll, describe, expect, inject, it } from "vitest";
import { parseAllDocuments, stringify } from "yaml";
import { writeLocalComponent } from "./overlay.ts";

const env = inject("env");
const digest = (c: string) => `10.244.0.1:5000/x@sha256:${c.repeat(64)}`;
const root = mkdtempSync(join(tmpdir(), "netpol-"));
cpSync(join(REPO_ROOT, "deploy"), join(root, "deploy"), { recursive: true });
writeLocalComponent(join(root, "dist/local/kustomization.yaml"), { inputs: "test", base: digest("a"), operator: digest("b"), api: digest("c"), jobBuilder: digest("d"), gateway: digest("e") });
afterAll(() => rmSync(root, { recursive: true, force: true }));

function policies(overlay: string): any[] {
  const out = execFileSync(goBinary("kubectl"), ["kustomize", join(root, "deploy", overlay)], { encoding: "utf8" });
  return parseAllDocuments(out)
    .map((d) => d.toJSON())
    .filter((o) => o?.kind === "NetworkPolicy");
}

const PRIVATE = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "127.0.0.0/8", "100.64.0.0/10"];

describe.each(["local", "example"])("NetworkPolicies of deploy/%s", (overlay) => {
  const objs = policies(overlay);
  const byName = (name: string) => objs.find((o) => o.metadata.name === name);

  it("select the bundle pods, in the platform's namespace, for both directions", () => {
    expect(objs.map((o) => o.metadata.name).sort()).toEqual(["bundle-pods-egress", "bundle-pods-ingress"]);
    for (const o of objs) {
      expect(o.metadata.namespace).toBe("fireworkers");
      expect(o.spec.podSelector).toEqual({ matchLabels: { "app.kubernetes.io/name": "workerd" } });
    }
    expect(byName("bundle-pods-ingress").spec.policyTypes).toEqual(["Ingress"]);
    expect(byName("bundle-pods-egress").spec.policyTypes).toEqual(["Egress"]);
  });

  it("let in only the edge (router port) and the platform's own pods", () => {
    const rules = byName("bundle-pods-ingress").spec.ingress;
    for (const rule of rules) {
      for (const peer of rule.from) {
        if (peer.podSelector) expect(peer.podSelector.matchLabels).toEqual({ "app.kubernetes.io/part-of": "fireworkers" });
        else expect(rule.ports).toEqual([{ protocol: "TCP", port: "router" }]);
        // Never "any namespace" or "any address": that would let other tenants' pods in.
        expect(peer.namespaceSelector ?? { matchLabels: { x: "y" } }).not.toEqual({});
        expect(peer.ipBlock?.cidr ?? "").not.toMatch(/^0\.0\.0\.0\/0$|^::\/0$/);
      }
    }
    if (overlay === "local") expect(rules.flatMap((r: any) => r.from)).toContainEqual({ ipBlock: { cidr: "10.244.0.1/32" } });
  });

  it("let out DNS, the bindings gateway, and public addresses only (no private, loopback or metadata range)", () => {
    const peers = byName("bundle-pods-egress").spec.egress.flatMap((r: any) => r.to);
    expect(peers).toContainEqual({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } });
    expect(peers).toContainEqual({ namespaceSelector: {}, podSelector: { matchLabels: { "app.kubernetes.io/name": "bindings-gateway" } } });
    const v4 = peers.find((p: any) => p.ipBlock?.cidr === "0.0.0.0/0");
    expect(v4.ipBlock.except).toEqual(expect.arrayContaining(PRIVATE));
    expect(peers.find((p: any) => p.ipBlock?.cidr === "::/0").ipBlock.except).toEqual(expect.arrayContaining(["fc00::/7", "fe80::/10", "::1/128"]));
    // No other peer: nothing in-cluster beyond DNS and the gateway.
    expect(peers).toHaveLength(4);
  });

  it("are accepted by the real kube-apiserver", async () => {
    const ns = `netpol-${overlay}`;
    await kubectl(env.kube, ["create", "namespace", ns]).catch(() => undefined);
    const docs = objs.map((o) => stringify({ ...o, metadata: { ...o.metadata, namespace: ns } })).join("---\n");
    await kubectl(env.kube, ["apply", "--server-side", "--field-manager=netpol-test", "-f", "-"], docs);
    const stored = JSON.parse(await kubectl(env.kube, ["get", "networkpolicies", "-n", ns, "-o", "json"])).items;
    expect(stored.map((o: any) => o.metadata.name).sort()).toEqual(["bundle-pods-egress", "bundle-pods-ingress"]);
    expect(stored.find((o: any) => o.metadata.name === "bundle-pods-egress").spec.egress).toEqual(byName("bundle-pods-egress").spec.egress);
  });
});
