import { baseStatus, type CustomObject, type KindDefinition } from "../common.ts";
import { immutable, StringMap, Type, Uuid, type Static } from "../schema.ts";
import { AccountId, ScriptName, VersionSplit } from "./shared-fields.ts";

const spec = Type.Object(
  {
    accountId: AccountId,
    scriptName: ScriptName,
    deploymentId: Uuid("The deployment's id as wrangler sees it; also the object's name."),
    strategy: Type.Unsafe<"percentage">({ type: "string", enum: ["percentage"] }),
    number: Type.Optional(
      Type.Integer({ minimum: 1, description: "Per-script sequence number; the highest is the deployment in force (creationTimestamp has only second precision)." }),
    ),
    versions: VersionSplit,
    annotations: Type.Optional(StringMap({ description: "workers/message, workers/triggered_by (deployment, rollback, secret, ...)." })),
    source: Type.Optional(Type.String({ maxLength: 64 })),
    authorEmail: Type.Optional(Type.String({ maxLength: 320 })),
  },
  immutable("spec"),
);

const status = Type.Object({ ...baseStatus });

export type WorkerDeploymentSpec = Static<typeof spec>;
export type WorkerDeploymentStatus = Static<typeof status>;
export type WorkerDeployment = CustomObject<"WorkerDeployment", WorkerDeploymentSpec, WorkerDeploymentStatus>;

export const workerDeployment: KindDefinition<typeof spec, typeof status> = {
  kind: "WorkerDeployment",
  plural: "workerdeployments",
  singular: "workerdeployment",
  shortNames: ["wd"],
  description: "One immutable deployment record of a script: which versions serve it, at which percentages. The newest one per script is the one in force.",
  spec,
  status,
  columns: [
    { name: "Account", type: "string", jsonPath: ".spec.accountId" },
    { name: "Script", type: "string", jsonPath: ".spec.scriptName" },
    { name: "Number", type: "integer", jsonPath: ".spec.number" },
    { name: "Version", type: "string", jsonPath: ".spec.versions[0].versionId" },
    { name: "Percent", type: "number", jsonPath: ".spec.versions[0].percentage" },
    { name: "Version2", type: "string", jsonPath: ".spec.versions[1].versionId", priority: 1 },
  ],
};
