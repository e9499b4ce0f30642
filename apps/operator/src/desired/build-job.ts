import type { Job } from "@fireworkers/kube";
import type { JobBuilder } from "@fireworkers/crd-types";
import type { OperatorConfig } from "../config.ts";
import { controllerRef, managedLabels } from "./common.ts";

const REGISTRY_AUTH_DIR = "/var/run/fireworkers/registry";

type BuildJobConfig = Pick<
  OperatorConfig,
  | "namespace"
  | "jobBuilderImage"
  | "baseImage"
  | "s3ConfigMap"
  | "s3Secret"
  | "registrySecret"
  | "jobServiceAccount"
  | "buildBackoffLimit"
  | "buildTtlSeconds"
  | "buildDeadlineSeconds"
  | "registryPlainHttp"
>;

/**
 * The batch Job that runs apps/job-builder for one JobBuilder. Credentials come from a ConfigMap/Secret
 * (S3) and a dockerconfigjson Secret (registry) mounted read-only, never from arguments. The pod runs
 * non-root with a read-only root filesystem; /tmp is the only writable path.
 */
export function desiredBuildJob(jb: JobBuilder, config: BuildJobConfig): Job {
  const name = jb.metadata.name;
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      name,
      labels: { ...managedLabels(jb.spec.accountId), "app.kubernetes.io/component": "build" },
      ownerReferences: [controllerRef(jb)],
    },
    spec: {
      backoffLimit: config.buildBackoffLimit,
      ttlSecondsAfterFinished: config.buildTtlSeconds,
      activeDeadlineSeconds: config.buildDeadlineSeconds,
      template: {
        metadata: { labels: { ...managedLabels(jb.spec.accountId), "app.kubernetes.io/component": "build" } },
        spec: {
          restartPolicy: "Never",
          serviceAccountName: config.jobServiceAccount,
          automountServiceAccountToken: true,
          securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: "RuntimeDefault" } },
          containers: [
            {
              name: "job-builder",
              image: config.jobBuilderImage,
              env: [
                { name: "JOB_BUILDER_NAME", value: name },
                { name: "NAMESPACE", value: config.namespace },
                { name: "BASE_IMAGE", value: config.baseImage },
                { name: "REGISTRY_AUTH_FILE", value: `${REGISTRY_AUTH_DIR}/.dockerconfigjson` },
                ...(config.registryPlainHttp ? [{ name: "REGISTRY_PLAIN_HTTP", value: config.registryPlainHttp }] : []),
              ],
              envFrom: [{ configMapRef: { name: config.s3ConfigMap } }, { secretRef: { name: config.s3Secret } }],
              resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "2", memory: "1Gi" } },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
              terminationMessagePolicy: "FallbackToLogsOnError",
              volumeMounts: [
                { name: "tmp", mountPath: "/tmp" },
                { name: "registry-auth", mountPath: REGISTRY_AUTH_DIR, readOnly: true },
              ],
            },
          ],
          volumes: [
            { name: "tmp", emptyDir: { sizeLimit: "2Gi" } },
            { name: "registry-auth", secret: { secretName: config.registrySecret } },
          ],
        },
      },
    },
  };
}

export type JobOutcome = { state: "running" } | { state: "succeeded"; at?: string } | { state: "failed"; reason: string; message: string; at?: string };

/** Reads a Job's terminal condition, as the Job controller writes it. */
export function jobOutcome(job: Job | undefined): JobOutcome {
  const conditions = job?.status?.conditions ?? [];
  const complete = conditions.find((c) => c.type === "Complete" && c.status === "True");
  if (complete) return { state: "succeeded", at: toIso(complete.lastTransitionTime) };
  const failed = conditions.find((c) => c.type === "Failed" && c.status === "True");
  if (failed) return { state: "failed", reason: failed.reason ?? "JobFailed", message: failed.message ?? "the build Job failed", at: toIso(failed.lastTransitionTime) };
  return { state: "running" };
}

const toIso = (t: Date | string | undefined) => (t === undefined ? undefined : new Date(t).toISOString());
