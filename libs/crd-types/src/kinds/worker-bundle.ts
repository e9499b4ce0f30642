import { baseStatus, type CustomObject, type KindDefinition } from "../common.ts";
import { MapList, Type, type Static } from "../schema.ts";
import { ScriptName } from "./shared-fields.ts";

const Worker = Type.Object({
  workerName: ScriptName,
  workerNumber: Type.Integer({ minimum: 0, description: "The worker's socket is port 8080 + workerNumber." }),
  envPrefix: Type.Optional(Type.String({ pattern: "^[A-Z_][A-Z0-9_]*$", description: "Prefix of the env vars holding this worker's secrets." })),
  secretRef: Type.Optional(Type.String({ maxLength: 253, description: "Secret holding the worker's secrets (keys = secret names)." })),
});

const spec = Type.Object({
  image: Type.Optional(Type.String({ description: "Bundle image, by digest. Empty until the first build succeeds." })),
  replicas: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, default: 2 })),
  resources: Type.Optional(
    Type.Object(
      {
        requests: Type.Optional(Type.Object({ cpu: Type.Optional(Type.String()), memory: Type.Optional(Type.String()) })),
        limits: Type.Optional(Type.Object({ cpu: Type.Optional(Type.String()), memory: Type.Optional(Type.String()) })),
      },
      { description: "Resources of the workerd container (from the account's podTemplate)." },
    ),
  ),
  autoscaling: Type.Optional(
    Type.Object(
      { minReplicas: Type.Integer({ minimum: 1 }), maxReplicas: Type.Integer({ minimum: 1 }), targetCPUUtilizationPercentage: Type.Integer({ minimum: 1, maximum: 100 }) },
      { description: "A HorizontalPodAutoscaler on CPU replaces the fixed replicas (from the account's podTemplate)." },
    ),
  ),
  imagePullSecret: Type.Optional(Type.String({ maxLength: 253 })),
  subdomain: Type.Optional(Type.String({ maxLength: 63 })),
  workers: Type.Optional(MapList(Worker, ["workerName"])),
});

const status = Type.Object({
  ...baseStatus,
  readyReplicas: Type.Optional(Type.Integer({ minimum: 0 })),
  servingImage: Type.Optional(Type.String({ description: "The image every ready pod runs." })),
});

export type WorkerBundleSpec = Static<typeof spec>;
export type WorkerBundleStatus = Static<typeof status>;
export type WorkerBundle = CustomObject<"WorkerBundle", WorkerBundleSpec, WorkerBundleStatus>;

export const workerBundle: KindDefinition<typeof spec, typeof status> = {
  kind: "WorkerBundle",
  plural: "workerbundles",
  singular: "workerbundle",
  shortNames: ["wb"],
  description: "The running form of an account: one image with all its workers, served by a Deployment, a Service and an Ingress.",
  spec,
  status,
  columns: [
    { name: "Image", type: "string", jsonPath: ".spec.image", priority: 1 },
    { name: "Replicas", type: "integer", jsonPath: ".spec.replicas" },
    { name: "Ready-Pods", type: "integer", jsonPath: ".status.readyReplicas" },
  ],
};
