import {
  API_VERSION,
  scriptSecretName,
  secretEnvPrefix,
  type JobBuilder,
  type WorkerAccount,
  type WorkerBundle,
  type WorkerRelease,
} from "@fireworkers/crd-types";
import type { OperatorConfig } from "../config.ts";
import { controllerRef, managedLabels } from "./common.ts";

/** Which JobBuilder produced the bundle's image (for metrics and humans). */
export const BUILD_ANNOTATION = "api.cf-worker/build";

export const hasSucceeded = (jb: JobBuilder) => jb.status?.conditions?.some((c) => c.type === "Succeeded" && c.status === "True") === true && Boolean(jb.status?.image);

/**
 * The build a bundle serves: the release's current build once it succeeded; until then the most
 * recently completed successful build, so a pending or failed build never interrupts serving.
 * Nothing when the account has no deployed script left.
 */
export function servedBuild(release: WorkerRelease | undefined, builds: JobBuilder[]): JobBuilder | undefined {
  if (!release || (release.spec.scripts ?? []).length === 0) return undefined;
  const current = builds.find((b) => b.metadata.name === release.status?.jobBuilderName);
  if (current && hasSucceeded(current)) return current;
  return builds
    .filter(hasSucceeded)
    .sort((a, b) => (b.status?.completionTime ?? "").localeCompare(a.status?.completionTime ?? "") || a.metadata.name.localeCompare(b.metadata.name))[0];
}

export function desiredBundle(
  account: WorkerAccount,
  served: JobBuilder | undefined,
  config: Pick<OperatorConfig, "defaultReplicas">,
): WorkerBundle {
  const accountId = account.metadata.name;
  const pod = account.spec.podTemplate;
  const pullSecret = pod?.imagePullSecret;
  const replicas = pod?.replicas ?? config.defaultReplicas;
  const autoscaling = pod?.autoscaling && {
    minReplicas: Math.min(pod.autoscaling.minReplicas ?? Math.max(replicas, 1), pod.autoscaling.maxReplicas),
    maxReplicas: pod.autoscaling.maxReplicas,
    targetCPUUtilizationPercentage: pod.autoscaling.targetCPUUtilizationPercentage ?? 80,
  };
  return {
    apiVersion: API_VERSION,
    kind: "WorkerBundle",
    metadata: {
      name: account.spec.workerBundleName,
      labels: managedLabels(accountId),
      annotations: { [BUILD_ANNOTATION]: served?.metadata.name ?? "" },
      ownerReferences: [controllerRef(account)],
    },
    spec: {
      ...(served ? { image: served.status!.image } : {}),
      replicas,
      ...(pod?.resources ? { resources: pod.resources } : {}),
      ...(autoscaling ? { autoscaling } : {}),
      ...(pullSecret ? { imagePullSecret: pullSecret } : {}),
      subdomain: account.spec.subdomain ?? accountId,
      workers: (served?.spec.scripts ?? []).map((s) => ({
        workerName: s.name,
        workerNumber: s.workerNumber,
        envPrefix: secretEnvPrefix(s.name),
        secretRef: scriptSecretName(accountId, s.name),
      })),
    },
  };
}
