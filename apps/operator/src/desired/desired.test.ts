import type { Secret } from "@fireworkers/kube";
import type { Binding, WorkerRelease } from "@fireworkers/crd-types";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../config.ts";
import { desiredBuildJob, jobOutcome } from "./build-job.ts";
import { desiredBundle, servedBuild } from "./bundle.ts";
import { desiredJobBuilder } from "./job-builder.ts";
import { desiredRelease, desiredReleaseScripts } from "./release.ts";
import { desiredWorkloads, SECRETS_HASH_ANNOTATION } from "./workloads.ts";
import { account, deployment, succeeded, uuid, version, versionMap } from "./fixtures.test-helpers.ts";

const config = { ...loadConfig({}), baseImage: "reg/base@sha256:" + "c".repeat(64) };

const release = (scripts: WorkerRelease["spec"]["scripts"]): WorkerRelease => ({
  apiVersion: "api.cf-worker/v1",
  kind: "WorkerRelease",
  metadata: { name: "acc1", uid: "uid-release" },
  spec: { accountId: "acc1", scripts },
});

describe("desired release", () => {
  const versions = versionMap(version(1, "hello"), version(2, "hello"), version(3, "api"));

  it("takes the newest deployment per script, in millisecond order", () => {
    const scripts = desiredReleaseScripts(
      [
        deployment(1, "hello", [[1, 100]], "2026-01-01T00:00:00.100Z"),
        deployment(2, "hello", [[2, 100]], "2026-01-01T00:00:00.900Z"),
        deployment(3, "api", [[3, 100]], "2026-01-01T00:00:00.500Z"),
      ],
      versions,
    );
    expect(scripts).toEqual([
      { name: "api", deploymentId: uuid(1003), versions: [{ versionId: uuid(3), percentage: 100 }] },
      { name: "hello", deploymentId: uuid(1002), versions: [{ versionId: uuid(2), percentage: 100 }] },
    ]);
  });

  it("keeps a 90/10 split as deployed", () => {
    const [hello] = desiredReleaseScripts([deployment(1, "hello", [[2, 90], [1, 10]], "2026-01-01T00:00:01.000Z")], versions);
    expect(hello!.versions).toEqual([
      { versionId: uuid(2), percentage: 90 },
      { versionId: uuid(1), percentage: 10 },
    ]);
  });

  it("leaves the previous deployment in force while a newer one's version is not verified or is deleting", () => {
    const pending = versionMap(version(1, "hello"), version(2, "hello", { ready: false }), version(4, "hello", { deleting: true }));
    const deployments = [
      deployment(1, "hello", [[1, 100]], "2026-01-01T00:00:01.000Z"),
      deployment(2, "hello", [[2, 100]], "2026-01-01T00:00:02.000Z"),
      deployment(3, "hello", [[4, 100]], "2026-01-01T00:00:03.000Z"),
    ];
    expect(desiredReleaseScripts(deployments, pending)[0]!.deploymentId).toBe(uuid(1001));
  });

  it("drops a script whose deployments are all being deleted", () => {
    const d = deployment(1, "hello", [[1, 100]], "2026-01-01T00:00:01.000Z");
    d.metadata.deletionTimestamp = "2026-01-01T00:00:02Z";
    expect(desiredReleaseScripts([d], versions)).toEqual([]);
  });

  it("has no scripts field when nothing is deployed (an applied empty list is stored as absent)", () => {
    expect(desiredRelease(account(), [], versions).spec).toEqual({ accountId: "acc1" });
  });

  it("is owned by the account and matches the account's release selector", () => {
    const r = desiredRelease(account(), [], versions);
    expect(r.metadata.name).toBe("acc1");
    expect(r.metadata.labels).toMatchObject({ accounts: "1234", "api.cf-worker/account": "acc1" });
    expect(r.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: "WorkerAccount", uid: "uid-acc1", controller: true })]);
  });
});

describe("desired JobBuilder", () => {
  const versions = versionMap(version(1, "hello"), version(2, "hello", { sha: "d".repeat(64) }), version(3, "api"));
  const r = release([
    { name: "api", deploymentId: uuid(1003), versions: [{ versionId: uuid(3), percentage: 100 }] },
    { name: "hello", deploymentId: uuid(1002), versions: [{ versionId: uuid(2), percentage: 70 }, { versionId: uuid(1), percentage: 30 }] },
  ]);

  it("describes every script's versions with module digests, numbered in order", () => {
    const jb = desiredJobBuilder(r, versions, config)!;
    expect(jb.spec.scripts.map((s) => [s.name, s.workerNumber])).toEqual([["api", 0], ["hello", 1]]);
    expect(jb.spec.scripts[1]!.versions.map((v) => [v.versionId, v.percentage, v.modules[0]!.sha256])).toEqual([
      [uuid(2), 70, "d".repeat(64)],
      [uuid(1), 30, "a".repeat(64)],
    ]);
    expect(jb.spec.image.repository).toBe(`${config.imageRepositoryPrefix}/acc1`);
    expect(jb.metadata.name).toBe(`build-${jb.spec.inputHash.slice(0, 32)}`);
    expect(jb.metadata.ownerReferences?.[0]).toMatchObject({ kind: "WorkerRelease", controller: true });
  });

  it("has the same identity for the same inputs, whatever the deployment ids", () => {
    const again = release(r.spec.scripts!.map((s) => ({ ...s, deploymentId: uuid(2000) })));
    expect(desiredJobBuilder(again, versions, config)!.metadata.name).toBe(desiredJobBuilder(r, versions, config)!.metadata.name);
  });

  it("changes identity when a module digest or a percentage changes", () => {
    const base = desiredJobBuilder(r, versions, config)!.metadata.name;
    const otherDigest = versionMap(version(1, "hello"), version(2, "hello", { sha: "e".repeat(64) }), version(3, "api"));
    expect(desiredJobBuilder(r, otherDigest, config)!.metadata.name).not.toBe(base);
    const otherSplit = release([r.spec.scripts![0]!, { ...r.spec.scripts![1]!, versions: [{ versionId: uuid(2), percentage: 90 }, { versionId: uuid(1), percentage: 10 }] }]);
    expect(desiredJobBuilder(otherSplit, versions, config)!.metadata.name).not.toBe(base);
  });

  it("is nothing when no script is deployed", () => {
    expect(desiredJobBuilder(release([]), versions, config)).toBeUndefined();
  });

  it("carries the bindings gateway's address only when a version has a KV binding (others keep their identity)", () => {
    const plain = desiredJobBuilder(r, versions, config)!;
    expect(plain.spec.bindingsGateway).toBeUndefined();
    const kv = new Map(versions);
    const v1 = kv.get(uuid(1))!;
    kv.set(uuid(1), { ...v1, spec: { ...v1.spec, bindings: [{ name: "KV", type: "kv_namespace", namespace_id: "0123456789abcdef0123456789abcdef" } as Binding] } });
    const withKv = desiredJobBuilder(r, kv, config)!;
    expect(withKv.spec.bindingsGateway).toBe(config.bindingsGateway);
    expect(desiredJobBuilder(r, kv, { ...config, bindingsGateway: "gw.other:8080" })!.metadata.name).not.toBe(withKv.metadata.name);
    expect(desiredJobBuilder(r, versions, { ...config, bindingsGateway: "gw.other:8080" })!.metadata.name).toBe(plain.metadata.name);
  });

  it("builds a version identical to an older one (a secret change) as that one, so the image is kept", () => {
    const one = (id: number) => release([{ name: "hello", deploymentId: uuid(2000 + id), versions: [{ versionId: uuid(id), percentage: 100 }] }]);
    // v5 = v1's code and bindings after `secret put`; v6 changes a module.
    const vs = versionMap(version(1, "hello"), version(5, "hello"), version(6, "hello", { sha: "f".repeat(64) }));
    const first = desiredJobBuilder(one(1), vs, config)!;
    const afterSecret = desiredJobBuilder(one(5), vs, config)!;
    expect(afterSecret.metadata.name).toBe(first.metadata.name);
    expect(afterSecret.spec.scripts[0]!.versions[0]!.versionId).toBe(uuid(1));
    expect(desiredJobBuilder(one(6), vs, config)!.metadata.name).not.toBe(first.metadata.name);
    // Only servable versions stand in: a predecessor being deleted does not.
    const gone = versionMap(version(1, "hello", { deleting: true }), version(5, "hello"));
    expect(desiredJobBuilder(one(5), gone, config)!.spec.scripts[0]!.versions[0]!.versionId).toBe(uuid(5));
    // A split between two identical versions is one version at 100%.
    const split = release([{ name: "hello", deploymentId: uuid(2100), versions: [{ versionId: uuid(5), percentage: 50 }, { versionId: uuid(1), percentage: 50 }] }]);
    expect(desiredJobBuilder(split, vs, config)!.spec.scripts[0]!.versions).toMatchObject([{ versionId: uuid(1), percentage: 100 }]);
  });
});

describe("build Job", () => {
  const jb = desiredJobBuilder(release([{ name: "hello", deploymentId: uuid(1), versions: [{ versionId: uuid(1), percentage: 100 }] }]), versionMap(version(1, "hello")), config)!;
  jb.metadata.uid = "uid-jb";

  it("runs the job-builder non-root, read-only, bounded, with credentials from Secrets only", () => {
    const job = desiredBuildJob(jb, config);
    const pod = job.spec!.template.spec!;
    const container = pod.containers[0]!;
    expect(job.metadata!.name).toBe(jb.metadata.name);
    expect(job.spec).toMatchObject({ backoffLimit: 2, ttlSecondsAfterFinished: 3600, activeDeadlineSeconds: 600 });
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true });
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(container.resources?.limits).toBeDefined();
    expect(container.args ?? []).toEqual([]);
    expect(container.env).toContainEqual({ name: "JOB_BUILDER_NAME", value: jb.metadata.name });
    expect(JSON.stringify(container.env)).not.toMatch(/secret|password/i);
    expect(container.envFrom).toContainEqual({ secretRef: { name: config.s3Secret } });
    expect(job.metadata!.ownerReferences![0]).toMatchObject({ kind: "JobBuilder", uid: "uid-jb", controller: true });
  });

  it("reads the Job's terminal condition", () => {
    expect(jobOutcome(undefined)).toEqual({ state: "running" });
    expect(jobOutcome({ status: { conditions: [{ type: "Complete", status: "True", lastTransitionTime: "2026-01-01T00:00:00Z" }] } })).toEqual({
      state: "succeeded",
      at: "2026-01-01T00:00:00.000Z",
    });
    expect(jobOutcome({ status: { conditions: [{ type: "Failed", status: "True", reason: "BackoffLimitExceeded", message: "too many" }] } })).toMatchObject({
      state: "failed",
      reason: "BackoffLimitExceeded",
    });
  });
});

describe("bundle", () => {
  const versions = versionMap(version(1, "hello"), version(2, "hello"));
  const r1 = release([{ name: "hello", deploymentId: uuid(1), versions: [{ versionId: uuid(1), percentage: 100 }] }]);
  const r2 = release([{ name: "hello", deploymentId: uuid(2), versions: [{ versionId: uuid(2), percentage: 100 }] }]);
  const old = succeeded(desiredJobBuilder(r1, versions, config)!, "2026-01-01T00:00:00Z", "1".repeat(64));
  const pending = desiredJobBuilder(r2, versions, config)!;
  const current = { ...r2, status: { jobBuilderName: pending.metadata.name } };

  it("keeps serving the previous build while the current one is pending or failed", () => {
    expect(servedBuild(current, [old, pending])?.metadata.name).toBe(old.metadata.name);
  });

  it("serves the current build once it succeeded, even when an older one completed later (rollback)", () => {
    const done = succeeded(pending, "2025-12-31T00:00:00Z", "2".repeat(64));
    expect(servedBuild(current, [old, done])?.metadata.name).toBe(done.metadata.name);
  });

  it("serves nothing when the account has no deployed script", () => {
    expect(servedBuild(release([]), [old])).toBeUndefined();
  });

  it("carries the image by digest and the seed's worker fields", () => {
    const b = desiredBundle(account("acc1", { podTemplate: { imagePullSecret: "pull" } }), old, config);
    expect(b.metadata.name).toBe("bundle");
    expect(b.spec).toEqual({
      image: `${config.imageRepositoryPrefix}/acc1@sha256:${"1".repeat(64)}`,
      replicas: 2,
      imagePullSecret: "pull",
      subdomain: "acc1",
      workers: [{ workerName: "hello", workerNumber: 0, envPrefix: "S5_HELLO_", secretRef: "worker-secrets.acc1.hello" }],
    });
  });
});

describe("workloads", () => {
  const versions = versionMap(version(1, "hello"), version(2, "api"));
  const r = release([
    { name: "api", deploymentId: uuid(1), versions: [{ versionId: uuid(2), percentage: 100 }] },
    { name: "hello", deploymentId: uuid(2), versions: [{ versionId: uuid(1), percentage: 100 }] },
  ]);
  const bundle = desiredBundle(account(), succeeded(desiredJobBuilder(r, versions, config)!, "2026-01-01T00:00:00Z"), config);
  bundle.metadata.uid = "uid-bundle";
  const secret = (value: string, resourceVersion: string): Secret => ({
    metadata: { name: "worker-secrets.acc1.hello", uid: "uid-secret", resourceVersion },
    data: { TOKEN: Buffer.from(value).toString("base64") },
  });

  it("runs the image by digest with each script's secrets as prefixed env, probes and ports", () => {
    const w = desiredWorkloads(bundle, new Map(), config)!;
    const pod = w.deployment.spec!.template.spec!;
    const c = pod.containers[0]!;
    expect(c.image).toMatch(/@sha256:[a-f0-9]{64}$/);
    expect(c.envFrom).toEqual([
      { prefix: "S3_API_", secretRef: { name: "worker-secrets.acc1.api", optional: true } },
      { prefix: "S5_HELLO_", secretRef: { name: "worker-secrets.acc1.hello", optional: true } },
    ]);
    expect(c.ports!.map((p) => p.containerPort)).toEqual([8000, 8080, 8081]);
    expect(c.readinessProbe?.tcpSocket?.port).toBe("router");
    expect(c.env).toEqual([
      { name: "FIREWORKERS_HOST_SUFFIX", value: "acc1.workers.local" },
      // the bindings gateway credential: from the account's Secret, never a value in the template
      { name: "FIREWORKERS_BINDINGS_CREDENTIAL", valueFrom: { secretKeyRef: { name: "bindings-credential.acc1", key: "credential" } } },
    ]);
    expect(w.deployment.spec!.replicas).toBe(2);
  });

  it("gives workerd the default resources and fixed replicas, and no autoscaler, when the account sets none", () => {
    const w = desiredWorkloads(bundle, new Map(), config)!;
    expect(w.deployment.spec!.template.spec!.containers[0]!.resources).toEqual({ requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "1Gi" } });
    expect(w.autoscaler).toBeUndefined();
  });

  it("renders the account's resources, and with autoscaling an HPA on CPU while the Deployment leaves replicas to it", () => {
    const served = succeeded(desiredJobBuilder(r, versions, config)!, "2026-01-01T00:00:00Z");
    const tuned = desiredBundle(
      account("acc1", { podTemplate: { replicas: 3, resources: { requests: { cpu: "250m" }, limits: { cpu: "1", memory: "512Mi" } }, autoscaling: { maxReplicas: 10 } } }),
      served,
      config,
    );
    expect(tuned.spec.autoscaling).toEqual({ minReplicas: 3, maxReplicas: 10, targetCPUUtilizationPercentage: 80 });
    const w = desiredWorkloads(tuned, new Map(), config)!;
    expect(w.deployment.spec!.template.spec!.containers[0]!.resources).toEqual({ requests: { cpu: "250m", memory: "64Mi" }, limits: { cpu: "1", memory: "512Mi" } });
    expect(w.deployment.spec!.replicas).toBeUndefined();
    expect(w.autoscaler!.spec).toEqual({
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: tuned.metadata.name },
      minReplicas: 3,
      maxReplicas: 10,
      metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } } }],
    });
    // A minimum above the maximum is clamped, never rendered as an HPA the apiserver would refuse.
    const clamped = desiredBundle(account("acc1", { podTemplate: { replicas: 5, autoscaling: { maxReplicas: 2, targetCPUUtilizationPercentage: 50 } } }), served, config);
    expect(clamped.spec.autoscaling).toEqual({ minReplicas: 2, maxReplicas: 2, targetCPUUtilizationPercentage: 50 });
  });

  it("changes only the pod-template secrets hash when a secret is written, and the hash is not of the values", () => {
    const a = desiredWorkloads(bundle, new Map([["worker-secrets.acc1.hello", secret("one", "10")]]), config)!;
    const b = desiredWorkloads(bundle, new Map([["worker-secrets.acc1.hello", secret("two", "11")]]), config)!;
    const sameRevision = desiredWorkloads(bundle, new Map([["worker-secrets.acc1.hello", secret("three", "10")]]), config)!;
    expect(sameRevision.deployment).toEqual(a.deployment);
    const hashA = a.deployment.spec!.template.metadata!.annotations![SECRETS_HASH_ANNOTATION];
    const hashB = b.deployment.spec!.template.metadata!.annotations![SECRETS_HASH_ANNOTATION];
    expect(hashA).not.toBe(hashB);
    b.deployment.spec!.template.metadata!.annotations![SECRETS_HASH_ANNOTATION] = hashA!;
    expect(b.deployment).toEqual(a.deployment);
  });

  it("routes <script>.<subdomain>.<base domain>, and the seed's /<script> paths under the account's host, to the router port", () => {
    const { ingress, service } = desiredWorkloads(bundle, new Map(), config)!;
    expect(ingress.spec!.ingressClassName).toBe("nginx");
    expect(ingress.spec!.rules!.map((r) => r.host)).toEqual(["api.acc1.workers.local", "hello.acc1.workers.local", "acc1.workers.local"]);
    expect(ingress.spec!.rules![2]!.http!.paths.map((p) => p.path)).toEqual(["/api", "/hello"]);
    expect(service.spec!.ports![0]).toMatchObject({ name: "http", port: 80, targetPort: "router" });
  });

  it("is nothing while the bundle has no image", () => {
    expect(desiredWorkloads({ ...bundle, spec: { ...bundle.spec, image: undefined } }, new Map(), config)).toBeUndefined();
  });
});
