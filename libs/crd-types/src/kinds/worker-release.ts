import { baseStatus, type CustomObject, type KindDefinition } from "../common.ts";
import { MapList, Type, Uuid, type Static } from "../schema.ts";
import { AccountId, ScriptName, VersionSplit } from "./shared-fields.ts";

const spec = Type.Object({
  accountId: AccountId,
  // Optional: server-side apply of an empty list leaves the field absent, so a required list could never
  // become empty (the account's last script deleted) and the release would be stuck on its old set.
  scripts: Type.Optional(
    MapList(
      Type.Object({
        name: ScriptName,
        deploymentId: Uuid("The WorkerDeployment in force for this script."),
        versions: VersionSplit,
      }),
      ["name"],
      { maxItems: 1000, description: "The desired set: every deployed script of the account and the versions serving it; absent when none is deployed." },
    ),
  ),
});

const status = Type.Object({
  ...baseStatus,
  jobBuilderName: Type.Optional(Type.String({ description: "The JobBuilder building this exact set." })),
  inputHash: Type.Optional(Type.String()),
  image: Type.Optional(Type.String({ description: "The built image (by digest) once the JobBuilder succeeded." })),
});

export type WorkerReleaseSpec = Static<typeof spec>;
export type WorkerReleaseStatus = Static<typeof status>;
export type WorkerRelease = CustomObject<"WorkerRelease", WorkerReleaseSpec, WorkerReleaseStatus>;

export const workerRelease: KindDefinition<typeof spec, typeof status> = {
  kind: "WorkerRelease",
  plural: "workerreleases",
  singular: "workerrelease",
  shortNames: ["wr"],
  description: "What an account should serve: per script, the one or two versions deployed and their percentages.",
  spec,
  status,
  columns: [
    { name: "Account", type: "string", jsonPath: ".spec.accountId" },
    { name: "Build", type: "string", jsonPath: ".status.jobBuilderName" },
    { name: "Image", type: "string", jsonPath: ".status.image", priority: 1 },
  ],
};
