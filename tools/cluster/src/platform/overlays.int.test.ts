// The kustomize overlays build (with the pinned kubectl) into what the README promises: both apps at 2
// replicas, non-root, read-only root filesystem, probes and resources on every container, images by digest,
// the S3/registry configuration the apps and build Jobs read, and for deploy/local the component `make up`
// writes (overlay.ts) pinning the pushed digests.
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { goBinary, REPO_ROOT } from "@fireworkers/testenv";
import { afterAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { writeLocalComponent } from "./overlay.ts";

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const images = {
  inputs: "test",
  base: `10.244.0.1:5000/fireworkers/workerd-runtime@${digest("a")}`,
  operator: `10.244.0.1:5000/fireworkers/operator@${digest("b")}`,
  api: `10.244.0.1:5000/fireworkers/fake-cf-api@${digest("c")}`,
  jobBuilder: `10.244.0.1:5000/fireworkers/job-builder@${digest("d")}`,
  gateway: `10.244.0.1:5000/fireworkers/bindings-gateway@${digest("e")}`,
};

// A copy of deploy/ next to a dist/local component, as `make up` leaves them.
const root = mkdtempSync(join(tmpdir(), "overlays-"));
cpSync(join(REPO_ROOT, "deploy"), join(root, "deploy"), { recursive: true });
writeLocalComponent(join(root, "dist/local/kustomization.yaml"), images);
afterAll(() => rmSync(root, { recursive: true, force: true }));

function build(overlay: string): any[] {
  const out = execFileSync(goBinary("kubectl"), ["kustomize", join(root, "deploy", overlay)], { encoding: "utf8" });
  return parseAllDocuments(out).map((d) => d.toJSON());
}
const find = (objs: any[], kind: string, name: string) => objs.find((o) => o.kind === kind && o.metadata.name === name);

describe.each(["local", "example"])("deploy/%s", (overlay) => {
  const objs = build(overlay);

  it("runs the operator, the API and the bindings gateway at 2 replicas, hardened, probed and bounded, images by digest", () => {
    for (const name of ["fireworkers-operator", "fake-cf-api", "bindings-gateway"]) {
      const d = find(objs, "Deployment", name);
      expect(d.metadata.namespace).toBe("fireworkers");
      expect(d.spec.replicas).toBe(2);
      expect(d.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
      for (const c of d.spec.template.spec.containers) {
        expect(c.image).toMatch(/@sha256:[0-9a-f]{64}$/);
        expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
        expect(c.readinessProbe.httpGet.path).toBe("/readyz");
        expect(c.livenessProbe.httpGet.path).toBe("/healthz");
        expect(c.resources.requests.cpu).toBeTruthy();
        expect(c.resources.limits.memory).toBeTruthy();
        expect(c.envFrom).toEqual(expect.arrayContaining([{ configMapRef: { name: "fireworkers-s3" } }, { secretRef: { name: "fireworkers-s3" } }]));
      }
      const sa = d.spec.template.spec.serviceAccountName;
      expect(find(objs, "ServiceAccount", sa)).toBeTruthy();
      expect(find(objs, "RoleBinding", sa).subjects[0]).toMatchObject({ name: sa, namespace: "fireworkers" });
    }
    expect(find(objs, "Service", "fake-cf-api").spec.ports[0]).toMatchObject({ port: 80, targetPort: "http" });
    expect(find(objs, "Service", "bindings-gateway").spec.ports[0]).toMatchObject({ port: 80, targetPort: "http" });
    // The gateway's key comes from the Secret the operator makes; it reads no Secret itself (RBAC).
    const gateway = find(objs, "Deployment", "bindings-gateway").spec.template.spec.containers[0];
    expect(gateway.env).toContainEqual({ name: "BINDINGS_GATEWAY_KEY", valueFrom: { secretKeyRef: { name: "fireworkers-bindings-gateway-key", key: "key" } } });
    expect(find(objs, "Role", "bindings-gateway").rules).toEqual([{ apiGroups: ["api.cf-worker"], resources: ["workerkvnamespaces"], verbs: ["get", "list", "watch"] }]);
  });

  it("gives the build Jobs their S3 settings and a dockerconfigjson Secret", () => {
    expect(find(objs, "ConfigMap", "fireworkers-s3").data.S3_BUCKET).toBeTruthy();
    expect(Object.keys(find(objs, "Secret", "fireworkers-s3").data ?? find(objs, "Secret", "fireworkers-s3").stringData).sort()).toEqual([
      "S3_ACCESS_KEY_ID",
      "S3_SECRET_ACCESS_KEY",
    ]);
    const registry = find(objs, "Secret", "fireworkers-registry");
    expect(registry.type).toBe("kubernetes.io/dockerconfigjson");
    expect(JSON.parse(Buffer.from(registry.data[".dockerconfigjson"], "base64").toString()).auths).toBeTypeOf("object");
    const op = find(objs, "ConfigMap", "fireworkers-operator").data;
    expect(op.BASE_IMAGE).toMatch(/@sha256:[0-9a-f]{64}$/);
    expect(op.JOB_BUILDER_IMAGE).toMatch(/@sha256:[0-9a-f]{64}$/);
    expect(find(objs, "ConfigMap", "fake-cf-api").data.WORKERS_DOMAIN).toBe(op.BASE_DOMAIN);
  });
});

describe("deploy/local", () => {
  const objs = build("local");
  it("pins the digests make up pushed and points everything at the node IP", () => {
    expect(find(objs, "Deployment", "fireworkers-operator").spec.template.spec.containers[0].image).toBe(images.operator);
    expect(find(objs, "Deployment", "fake-cf-api").spec.template.spec.containers[0].image).toBe(images.api);
    expect(find(objs, "Deployment", "bindings-gateway").spec.template.spec.containers[0].image).toBe(images.gateway);
    const op = find(objs, "ConfigMap", "fireworkers-operator").data;
    expect(op).toMatchObject({
      BASE_IMAGE: images.base,
      JOB_BUILDER_IMAGE: images.jobBuilder,
      IMAGE_REPOSITORY_PREFIX: "10.244.0.1:5000/fireworkers/bundles",
      BUILD_REGISTRY_PLAIN_HTTP: "10.244.0.1:5000",
      INGRESS_CLASS: "fireworkers-edge",
    });
    expect(find(objs, "ConfigMap", "fireworkers-s3").data.S3_ENDPOINT).toBe("http://10.244.0.1:7070");
    expect(find(objs, "Service", "fake-cf-api").spec).toMatchObject({ type: "NodePort", ports: [{ nodePort: 30787 }] });
    expect(find(objs, "IngressClass", "fireworkers-edge")).toBeTruthy();
    expect(find(objs, "Deployment", "fireworkers-operator").spec.template.metadata.annotations["fireworkers.local/build-images"]).toMatch(/^[0-9a-f]{16}$/);
  });
});
