import type { Deployment, HorizontalPodAutoscaler, Ingress, Secret, Service } from "@fireworkers/kube";
import { LABELS, type WorkerBundle } from "@fireworkers/crd-types";
import { HOST_SUFFIX_ENV } from "@fireworkers/workerd-config";
import { BINDINGS_CREDENTIAL_ENV, BINDINGS_CREDENTIAL_SECRET_KEY, bindingsCredentialSecretName } from "@fireworkers/bindings-auth";
import type { OperatorConfig } from "../config.ts";
import { canonicalJson, controllerRef, sha256 } from "./common.ts";

/** Pod-template annotation whose change rolls the pods when a script's secrets change (no rebuild). */
export const SECRETS_HASH_ANNOTATION = "api.cf-worker/secrets-hash";

type WorkloadConfig = Pick<OperatorConfig, "baseDomain" | "ingressClassName" | "routerPort" | "firstWorkerPort">;

export interface Workloads {
  deployment: Deployment;
  service: Service;
  ingress: Ingress;
  /** Only when the account asks for autoscaling; then the Deployment leaves `replicas` to it. */
  autoscaler?: HorizontalPodAutoscaler;
}

/** The workerd container's resources when the account sets none. */
export const DEFAULT_RESOURCES = { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "1Gi" } };

/**
 * Identifies the revision of every Secret the bundle's workers read: it changes with each write to
 * them (uid + resourceVersion), so pods roll, yet reveals nothing of the values — a hash of the data
 * itself would let anyone who can read Deployments guess low-entropy secrets offline.
 */
export function secretsHash(bundle: WorkerBundle, secrets: ReadonlyMap<string, Secret>): string {
  const refs = (bundle.spec.workers ?? []).map((w) => w.secretRef).filter((r): r is string => Boolean(r)).sort();
  const revisions = refs.map((name) => [name, secrets.get(name)?.metadata?.uid ?? null, secrets.get(name)?.metadata?.resourceVersion ?? null]);
  return sha256(canonicalJson(revisions)).slice(0, 32);
}

/**
 * Deployment + Service + Ingress serving a bundle's image. Undefined while the bundle has no image
 * (nothing built yet, or no script deployed), so the workloads are removed.
 */
export function desiredWorkloads(bundle: WorkerBundle, secrets: ReadonlyMap<string, Secret>, config: WorkloadConfig): Workloads | undefined {
  const image = bundle.spec.image;
  const workers = bundle.spec.workers ?? [];
  if (!image || workers.length === 0) return undefined;
  const name = bundle.metadata.name;
  const account = bundle.metadata.labels?.[LABELS.account] ?? "";
  const selector = { "app.kubernetes.io/name": "workerd", "app.kubernetes.io/instance": name };
  const labels = { ...selector, [LABELS.managedBy]: "fireworkers-operator", [LABELS.account]: account };
  const owner = [controllerRef(bundle)];
  const workerPort = (n: number) => config.firstWorkerPort + n;

  const deployment: Deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, labels, ownerReferences: owner },
    spec: {
      // Under an autoscaler the field is omitted, so that applying the Deployment never fights the HPA.
      ...(bundle.spec.autoscaling ? {} : { replicas: bundle.spec.replicas ?? 2 }),
      selector: { matchLabels: selector },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels, annotations: { [SECRETS_HASH_ANNOTATION]: secretsHash(bundle, secrets) } },
        spec: {
          ...(bundle.spec.imagePullSecret ? { imagePullSecrets: [{ name: bundle.spec.imagePullSecret }] } : {}),
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
          containers: [
            {
              name: "workerd",
              image,
              ports: [
                { name: "router", containerPort: config.routerPort },
                ...workers.map((w) => ({ name: `w${w.workerNumber}`, containerPort: workerPort(w.workerNumber) })),
              ],
              // The router matches Host <script>.<this suffix>; the image itself is domain-free.
              env: [
                { name: HOST_SUFFIX_ENV, value: `${bundle.spec.subdomain}.${config.baseDomain}` },
                // The account's credential for the bindings gateway (KV): from its Secret, never in the image.
                ...(account
                  ? [{ name: BINDINGS_CREDENTIAL_ENV, valueFrom: { secretKeyRef: { name: bindingsCredentialSecretName(account), key: BINDINGS_CREDENTIAL_SECRET_KEY } } }]
                  : []),
              ],
              envFrom: workers
                .filter((w) => w.secretRef)
                .map((w) => ({ prefix: w.envPrefix, secretRef: { name: w.secretRef!, optional: true } })),
              readinessProbe: { tcpSocket: { port: "router" }, periodSeconds: 1, failureThreshold: 3 },
              livenessProbe: { tcpSocket: { port: "router" }, periodSeconds: 10, failureThreshold: 3 },
              resources: {
                requests: { ...DEFAULT_RESOURCES.requests, ...bundle.spec.resources?.requests },
                limits: { ...DEFAULT_RESOURCES.limits, ...bundle.spec.resources?.limits },
              },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
            },
          ],
        },
      },
    },
  };

  const service: Service = {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, labels, ownerReferences: owner },
    spec: {
      selector,
      ports: [
        { name: "http", port: 80, targetPort: "router" },
        ...workers.map((w) => ({ name: `w${w.workerNumber}`, port: workerPort(w.workerNumber), targetPort: workerPort(w.workerNumber) })),
      ],
    },
  };

  const backend = { service: { name, port: { name: "http" } } };
  const ingress: Ingress = {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: { name, labels, ownerReferences: owner },
    spec: {
      ingressClassName: config.ingressClassName,
      rules: [
        ...workers.map((w) => ({
          host: `${w.workerName}.${bundle.spec.subdomain}.${config.baseDomain}`,
          http: { paths: [{ path: "/", pathType: "Prefix", backend }] },
        })),
        // The seed's /<script> paths, under the account's own host: a host-less rule would let two
        // accounts with a script of the same name claim the same path.
        { host: `${bundle.spec.subdomain}.${config.baseDomain}`, http: { paths: workers.map((w) => ({ path: `/${w.workerName}`, pathType: "Prefix", backend })) } },
      ],
    },
  };
  const scaling = bundle.spec.autoscaling;
  const autoscaler: HorizontalPodAutoscaler | undefined = scaling && {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: { name, labels, ownerReferences: owner },
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name },
      minReplicas: scaling.minReplicas,
      maxReplicas: scaling.maxReplicas,
      metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: scaling.targetCPUUtilizationPercentage } } }],
    },
  };
  return { deployment, service, ingress, ...(autoscaler ? { autoscaler } : {}) };
}
