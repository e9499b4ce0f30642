// Kind descriptors: what the client needs to build a URL (apiVersion, plural, namespaced), carrying the
// object type so every call is typed by its kind. Core kinds use client-node's generated models with
// timestamps as the strings they are on the wire (the client never runs client-node's deserializer).
import type {
  V1ConfigMap,
  V1Deployment,
  V1EndpointSlice,
  CoreV1Event,
  V1Ingress,
  V1Job,
  V1Lease,
  V1Namespace,
  V1Secret,
  V1Service,
  V2HorizontalPodAutoscaler,
} from "@kubernetes/client-node";
import {
  API_VERSION,
  jobBuilder,
  workerAccount,
  workerBundle,
  workerKVNamespace,
  workerDeployment,
  workerRelease,
  workerScript,
  workerVersion,
  type JobBuilder,
  type KindDefinition,
  type WorkerAccount,
  type WorkerBundle,
  type WorkerKVNamespace,
  type WorkerDeployment,
  type WorkerRelease,
  type WorkerScript,
  type WorkerVersion,
} from "@fireworkers/crd-types";

/** The metadata every object type must have for the client (both crd-types' and client-node's fit). */
export interface KubeMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean; blockOwnerDeletion?: boolean }[];
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: KubeMeta;
}

/** A JSON value of type T: Date fields (client-node's models) are RFC 3339 strings on the wire. */
export type Json<T> = T extends Date
  ? string
  : T extends (infer U)[]
    ? Json<U>[]
    : T extends object
      ? { [K in keyof T]: Json<T[K]> }
      : T;

export interface Kind<T extends KubeObject = KubeObject> {
  apiVersion: string;
  kind: string;
  /** The resource's URL segment, e.g. deployments. */
  plural: string;
  namespaced: boolean;
  /** Type only: the object type of this kind (never set). */
  readonly object?: T;
}

export const kind = <T extends KubeObject>(apiVersion: string, kindName: string, plural: string, namespaced = true): Kind<T> => ({
  apiVersion,
  kind: kindName,
  plural,
  namespaced,
});

export type Secret = Json<V1Secret>;
export type ConfigMap = Json<V1ConfigMap>;
export type Deployment = Json<V1Deployment>;
export type Service = Json<V1Service>;
export type Ingress = Json<V1Ingress>;
export type Job = Json<V1Job>;
export type Lease = Json<V1Lease>;
export type Event = Json<CoreV1Event>;
export type EndpointSlice = Json<V1EndpointSlice>;
export type Namespace = Json<V1Namespace>;
export type HorizontalPodAutoscaler = Json<V2HorizontalPodAutoscaler>;

const custom = <T extends KubeObject>(definition: KindDefinition) => kind<T>(API_VERSION, definition.kind, definition.plural);

/** Every kind the platform reads or writes. */
export const KINDS = {
  Secret: kind<Secret>("v1", "Secret", "secrets"),
  ConfigMap: kind<ConfigMap>("v1", "ConfigMap", "configmaps"),
  Service: kind<Service>("v1", "Service", "services"),
  Event: kind<Event>("v1", "Event", "events"),
  Namespace: kind<Namespace>("v1", "Namespace", "namespaces", false),
  Deployment: kind<Deployment>("apps/v1", "Deployment", "deployments"),
  Job: kind<Job>("batch/v1", "Job", "jobs"),
  Ingress: kind<Ingress>("networking.k8s.io/v1", "Ingress", "ingresses"),
  Lease: kind<Lease>("coordination.k8s.io/v1", "Lease", "leases"),
  EndpointSlice: kind<EndpointSlice>("discovery.k8s.io/v1", "EndpointSlice", "endpointslices"),
  HorizontalPodAutoscaler: kind<HorizontalPodAutoscaler>("autoscaling/v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers"),
  WorkerAccount: custom<WorkerAccount>(workerAccount),
  WorkerScript: custom<WorkerScript>(workerScript),
  WorkerVersion: custom<WorkerVersion>(workerVersion),
  WorkerDeployment: custom<WorkerDeployment>(workerDeployment),
  WorkerRelease: custom<WorkerRelease>(workerRelease),
  JobBuilder: custom<JobBuilder>(jobBuilder),
  WorkerBundle: custom<WorkerBundle>(workerBundle),
  WorkerKVNamespace: custom<WorkerKVNamespace>(workerKVNamespace),
} as const;

/** The descriptor of an object's own kind (from its apiVersion and kind), for code generic over kinds. */
export function kindOf<T extends KubeObject>(object: T): Kind<T> {
  const found = Object.values(KINDS).find((k) => k.apiVersion === object.apiVersion && k.kind === object.kind);
  if (!found) throw new Error(`unknown kind ${object.apiVersion}/${object.kind}`);
  return { apiVersion: found.apiVersion, kind: found.kind, plural: found.plural, namespaced: found.namespaced };
}
