import { describe, expect, it } from "vitest";
import { apiserverArgs, auditPolicy, controllerManagerArgs, etcdArgs } from "./control-plane.ts";

describe("control-plane flags", () => {
  it("etcd: one member named after itself, the caller's extras last", () => {
    const args = etcdArgs({ name: "n1", dataDir: "/d", clientUrl: "http://127.0.0.1:1", peerUrl: "http://127.0.0.1:2" }, ["--x=1"]);
    expect(args).toContain("--initial-cluster=n1=http://127.0.0.1:2");
    expect(args).toContain("--advertise-client-urls=http://127.0.0.1:1");
    expect(args.at(-1)).toBe("--x=1");
  });

  it("kube-apiserver: advertises where it listens, issuer from the cluster domain, batched audit log", () => {
    const args = apiserverArgs({
      etcdUrl: "http://127.0.0.1:1",
      address: "10.0.0.1",
      securePort: 6443,
      certDir: "/pki",
      serviceCidr: "10.96.0.0/24",
      clusterDomain: "example.local",
      serviceAccountKey: "/sa.key",
      serviceAccountPub: "/sa.pub",
      tokenAuthFile: "/tokens.csv",
      authorizationMode: "Node,RBAC",
      auditPolicyFile: "/audit.json",
      auditLogPath: "/audit.jsonl",
    });
    expect(args).toEqual(expect.arrayContaining(["--bind-address=10.0.0.1", "--advertise-address=10.0.0.1", "--authorization-mode=Node,RBAC", "--audit-log-mode=batch"]));
    expect(args).toContain("--service-account-issuer=https://kubernetes.default.svc.example.local");
  });

  it("kube-controller-manager: one kubeconfig for all three roles, no leader election", () => {
    const args = controllerManagerArgs({ kubeconfig: "/k", securePort: 10257, serviceAccountKey: "/sa.key", rootCaFile: "/ca.crt" });
    expect(args.filter((a) => a.endsWith("kubeconfig=/k"))).toHaveLength(3);
    expect(args).toContain("--leader-elect=false");
  });

  it("audit policy: the caller's quiet rules first, then everything at Metadata", () => {
    expect(auditPolicy([{ level: "None" }])).toMatchObject({ rules: [{ level: "None" }, { level: "Metadata" }] });
  });
});
