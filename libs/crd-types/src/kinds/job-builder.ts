import { baseStatus, type CustomObject, type KindDefinition } from "../common.ts";
import { immutable, MapList, Type, Uuid, type Static } from "../schema.ts";
import { AccountId, Binding, Module, S3Location, ScriptName } from "./shared-fields.ts";

const BuildVersion = Type.Object({
  versionId: Uuid("The WorkerVersion built in."),
  percentage: Type.Number({ minimum: 0, maximum: 100 }),
  storage: S3Location,
  mainModule: Type.String({ minLength: 1 }),
  modules: Type.Array(Module, { minItems: 1 }),
  bindings: Type.Optional(Type.Array(Binding)),
  compatibilityDate: Type.Optional(Type.String()),
  compatibilityFlags: Type.Optional(Type.Array(Type.String())),
});
export type BuildVersion = Static<typeof BuildVersion>;

const spec = Type.Object(
  {
    accountId: AccountId,
    releaseName: Type.String({ description: "The WorkerRelease this build serves." }),
    inputHash: Type.String({ description: "sha256 of everything below; the object's name derives from it, so an identical set is never built twice." }),
    image: Type.Object({
      repository: Type.String({ minLength: 1, description: "Target repository, e.g. registry.example.com/workers/<account>." }),
      tag: Type.String({ minLength: 1, maxLength: 128 }),
    }),
    bindingsGateway: Type.Optional(
      Type.String({ maxLength: 261, pattern: "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?:[0-9]{1,5}$", description: "host:port of the bindings gateway, for bundles with KV bindings." }),
    ),
    scripts: MapList(
      Type.Object({
        name: ScriptName,
        workerNumber: Type.Integer({ minimum: 0, description: "Index of the script's socket: port 8080 + workerNumber." }),
        versions: Type.Array(BuildVersion, { minItems: 1, maxItems: 2 }),
      }),
      ["name"],
      { maxItems: 1000 },
    ),
  },
  immutable("spec"),
);

const status = Type.Object({
  ...baseStatus,
  jobName: Type.Optional(Type.String()),
  imageDigest: Type.Optional(Type.String({ pattern: "^sha256:[a-f0-9]{64}$" })),
  image: Type.Optional(Type.String({ description: "repository@digest of the pushed image." })),
  startTime: Type.Optional(Type.String({ format: "date-time" })),
  completionTime: Type.Optional(Type.String({ format: "date-time" })),
});

export type JobBuilderSpec = Static<typeof spec>;
export type JobBuilderStatus = Static<typeof status>;
export type JobBuilder = CustomObject<"JobBuilder", JobBuilderSpec, JobBuilderStatus>;

export const jobBuilder: KindDefinition<typeof spec, typeof status> = {
  kind: "JobBuilder",
  plural: "jobbuilders",
  singular: "jobbuilder",
  shortNames: ["jb"],
  description: "One exact bundle to build: scripts, versions, module digests and bindings, and the target image. Run as a batch Job.",
  spec,
  status,
  columns: [
    { name: "Account", type: "string", jsonPath: ".spec.accountId" },
    { name: "Succeeded", type: "string", jsonPath: '.status.conditions[?(@.type=="Succeeded")].status' },
    { name: "Digest", type: "string", jsonPath: ".status.imageDigest", priority: 1 },
  ],
};
