import { baseStatus, LabelSelector, type CustomObject, type KindDefinition } from "../common.ts";
import { DnsLabel, Type, type Static } from "../schema.ts";

/** A Kubernetes quantity (e.g. "250m", "512Mi"), as a string: the apiserver parses it where it lands. */
const Quantity = (description: string) => Type.String({ description, maxLength: 32, pattern: "^[0-9]+(\\.[0-9]+)?(m|k|Ki|M|Mi|G|Gi|T|Ti)?$" });
const CpuMemory = (what: string) =>
  Type.Object({ cpu: Type.Optional(Quantity(`CPU ${what} of the workerd container.`)), memory: Type.Optional(Quantity(`Memory ${what} of the workerd container.`)) });

/**
 * Per-account limits. Every field is optional: an absent one takes the platform default, which is
 * Cloudflare's own limit (Workers Paid) unless the operator of the platform set another (README, Quotas).
 */
const quotas = Type.Object(
  {
    scripts: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000, description: "Workers (scripts) in the account. Default 500." })),
    scriptSizeMiB: Type.Optional(Type.Integer({ minimum: 1, maximum: 1024, description: "Total module size of one upload, in MiB. Default: the API's MAX_SCRIPT_MIB (64)." })),
    versionsKept: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000, description: "Versions kept per script (older ones are deleted). Default: the API's VERSION_HISTORY (100)." })),
    secretsPerScript: Type.Optional(Type.Integer({ minimum: 0, maximum: 10000, description: "Secrets per script. Default 128." })),
    kvNamespaces: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000000, description: "KV namespaces in the account. Default 1000." })),
    r2Buckets: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000000, description: "R2 buckets in the account. Default 1000000." })),
  },
  { description: "Limits of this account; absent fields take the platform defaults (Cloudflare's limits)." },
);

const spec = Type.Object({
  workerBundleName: DnsLabel("Name of the WorkerBundle this account owns and serves from."),
  workerReleaseSelector: Type.Optional(LabelSelector),
  podTemplate: Type.Optional(
    Type.Object({
      imagePullSecret: Type.Optional(Type.String({ maxLength: 253, description: "Secret used to pull the bundle image." })),
      replicas: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, description: "Bundle pods (default 2). With autoscaling: the minimum." })),
      resources: Type.Optional(
        Type.Object(
          { requests: Type.Optional(CpuMemory("requested")), limits: Type.Optional(CpuMemory("limit")) },
          { description: "Requests and limits of the workerd container (default: requests cpu 50m, memory 64Mi; limits memory 1Gi)." },
        ),
      ),
      autoscaling: Type.Optional(
        Type.Object(
          {
            minReplicas: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: "Default: replicas, or 1." })),
            maxReplicas: Type.Integer({ minimum: 1, maximum: 100 }),
            targetCPUUtilizationPercentage: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: "Default 80." })),
          },
          { description: "A HorizontalPodAutoscaler on CPU for the bundle's pods (needs a CPU request and a metrics server)." },
        ),
      ),
    }),
  ),
  quotas: Type.Optional(quotas),
  subdomain: Type.Optional(DnsLabel("Host label of the account: workers answer on <script>.<subdomain>.<base domain>. Default: the account name.")),
});

const status = Type.Object({
  ...baseStatus,
  bundleName: Type.Optional(Type.String()),
  releaseName: Type.Optional(Type.String()),
});

export type WorkerAccountSpec = Static<typeof spec>;
export type AccountQuotas = Static<typeof quotas>;
export type WorkerAccountStatus = Static<typeof status>;
export type WorkerAccount = CustomObject<"WorkerAccount", WorkerAccountSpec, WorkerAccountStatus>;

export const workerAccount: KindDefinition<typeof spec, typeof status> = {
  kind: "WorkerAccount",
  plural: "workeraccounts",
  singular: "workeraccount",
  shortNames: ["wa"],
  description: "A tenant: its name is the Cloudflare account id that wrangler uses. Owns one WorkerBundle.",
  spec,
  status,
  columns: [
    { name: "Bundle", type: "string", jsonPath: ".spec.workerBundleName" },
    { name: "Subdomain", type: "string", jsonPath: ".spec.subdomain" },
  ],
};
