// Builders of observed objects for the desired-state unit tests.
import type { JobBuilder, WorkerAccount, WorkerDeployment, WorkerVersion } from "@fireworkers/crd-types";

export const uuid = (n: number) => `00000000-0000-4000-8000-${n.toString().padStart(12, "0")}`;

export function account(name = "acc1", spec: Partial<WorkerAccount["spec"]> = {}): WorkerAccount {
  return {
    apiVersion: "api.cf-worker/v1",
    kind: "WorkerAccount",
    metadata: { name, uid: `uid-${name}` },
    spec: { workerBundleName: "bundle", workerReleaseSelector: { matchLabels: { accounts: "1234" } }, ...spec },
  };
}

export function version(n: number, script: string, options: { ready?: boolean; sha?: string; deleting?: boolean } = {}): WorkerVersion {
  return {
    apiVersion: "api.cf-worker/v1",
    kind: "WorkerVersion",
    metadata: { name: uuid(n), uid: `uid-v${n}`, ...(options.deleting ? { deletionTimestamp: "2026-01-01T00:00:00Z" } : {}) },
    spec: {
      accountId: "acc1",
      scriptName: script,
      versionId: uuid(n),
      number: n,
      storage: { bucket: "b", prefix: `accounts/acc1/scripts/${script}/versions/${uuid(n)}/` },
      mainModule: "index.js",
      modules: [{ name: "index.js", type: "esm", sha256: options.sha ?? "a".repeat(64), size: 10 }],
      compatibilityDate: "2025-01-01",
    },
    status: { conditions: [{ type: "Ready", status: options.ready === false ? "False" : "True", reason: "R", message: "", lastTransitionTime: "2026-01-01T00:00:00Z" }] },
  };
}

export function deployment(n: number, script: string, split: [number, number][], createdAt: string): WorkerDeployment {
  return {
    apiVersion: "api.cf-worker/v1",
    kind: "WorkerDeployment",
    metadata: { name: uuid(1000 + n), creationTimestamp: createdAt.replace(/\.\d+Z$/, "Z"), annotations: { "api.cf-worker/created-on": createdAt } },
    spec: {
      accountId: "acc1",
      scriptName: script,
      deploymentId: uuid(1000 + n),
      strategy: "percentage",
      versions: split.map(([v, percentage]) => ({ versionId: uuid(v), percentage })),
    },
  };
}

export const versionMap = (...versions: WorkerVersion[]) => new Map(versions.map((v) => [v.metadata.name, v]));

export function succeeded(jb: JobBuilder, completionTime: string, digest = "b".repeat(64)): JobBuilder {
  return {
    ...jb,
    metadata: { ...jb.metadata, uid: `uid-${jb.metadata.name}` },
    status: {
      conditions: [{ type: "Succeeded", status: "True", reason: "JobComplete", message: "", lastTransitionTime: completionTime }],
      completionTime,
      imageDigest: `sha256:${digest}`,
      image: `${jb.spec.image.repository}@sha256:${digest}`,
    },
  };
}
