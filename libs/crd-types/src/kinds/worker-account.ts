import { baseStatus, LabelSelector, type CustomObject, type KindDefinition } from "../common.ts";
import { DnsLabel, Type, type Static } from "../schema.ts";

const spec = Type.Object({
  workerBundleName: DnsLabel("Name of the WorkerBundle this account owns and serves from."),
  workerReleaseSelector: Type.Optional(LabelSelector),
  podTemplate: Type.Optional(
    Type.Object({
      imagePullSecret: Type.Optional(Type.String({ maxLength: 253, description: "Secret used to pull the bundle image." })),
      replicas: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, description: "Bundle pods (default 2)." })),
    }),
  ),
  subdomain: Type.Optional(DnsLabel("Host label of the account: workers answer on <script>.<subdomain>.<base domain>. Default: the account name.")),
});

const status = Type.Object({
  ...baseStatus,
  bundleName: Type.Optional(Type.String()),
  releaseName: Type.Optional(Type.String()),
});

export type WorkerAccountSpec = Static<typeof spec>;
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
