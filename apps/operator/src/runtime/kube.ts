// The operator's only door to the apiserver: server-side apply with one field manager, status
// subresource apply, deletes, lists and events. Everything else reads informer caches.
import {
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  type KubernetesObject,
  type V1Secret,
} from "@kubernetes/client-node";
import { GROUP, VERSION } from "@fireworkers/crd-types";

export const FIELD_MANAGER = "fireworkers-operator";

export interface Kube {
  namespace: string;
  config: KubeConfig;
  apply<T extends KubernetesObject>(object: T): Promise<T>;
  /** Returns the object's resourceVersion after the write. */
  applyStatus(plural: string, name: string, kind: string, status: unknown): Promise<string | undefined>;
  delete(object: KubernetesObject): Promise<void>;
  list<T extends KubernetesObject>(apiVersion: string, kind: string, labelSelector?: string): Promise<{ items: T[]; resourceVersion: string }>;
  /** A merge patch (for metadata.finalizers and ownerReferences, which SSA would take over). */
  mergePatch(apiVersion: string, kind: string, name: string, patch: Record<string, unknown>): Promise<void>;
  event(involved: KubernetesObject, type: "Normal" | "Warning", reason: string, message: string): Promise<void>;
  /** Reads one Secret (the bindings gateway key: no informer holds it); undefined when absent. */
  getSecret(name: string): Promise<V1Secret | undefined>;
  /** Creates a Secret; false when one of that name exists already. */
  createSecret(secret: V1Secret): Promise<boolean>;
}

const isNotFound = (err: unknown) => (err as { code?: number }).code === 404;

export function createKube(config: KubeConfig, namespace: string): Kube {
  const objects = KubernetesObjectApi.makeApiClient(config);
  const custom = config.makeApiClient(CustomObjectsApi);
  const core = config.makeApiClient(CoreV1Api);
  const applyHeader = setHeaderOptions("Content-Type", PatchStrategy.ServerSideApply);
  return {
    namespace,
    config,
    async apply(object) {
      const body = { ...object, metadata: { ...object.metadata, namespace, managedFields: undefined, resourceVersion: undefined } };
      return objects.patch(body, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
    },
    async applyStatus(plural, name, kind, status) {
      const written = await custom.patchNamespacedCustomObjectStatus(
        { group: GROUP, version: VERSION, namespace, plural, name, body: { apiVersion: `${GROUP}/${VERSION}`, kind, metadata: { name }, status }, fieldManager: FIELD_MANAGER, force: true },
        applyHeader,
      );
      return (written as KubernetesObject | undefined)?.metadata?.resourceVersion;
    },
    async delete(object) {
      try {
        await objects.delete({ ...object, metadata: { ...object.metadata, namespace } }, undefined, undefined, undefined, undefined, "Background");
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    },
    async list(apiVersion, kind, labelSelector) {
      const list = await objects.list(apiVersion, kind, namespace, undefined, undefined, undefined, undefined, labelSelector);
      return { items: list.items as never, resourceVersion: list.metadata?.resourceVersion ?? "" };
    },
    async mergePatch(apiVersion, kind, name, patch) {
      const metadata = { ...(patch.metadata as object | undefined), name, namespace };
      await objects.patch({ apiVersion, kind, ...patch, metadata }, undefined, undefined, FIELD_MANAGER, undefined, PatchStrategy.MergePatch);
    },
    async getSecret(name) {
      try {
        return await core.readNamespacedSecret({ name, namespace });
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    async createSecret(secret) {
      try {
        await core.createNamespacedSecret({ namespace, body: { ...secret, metadata: { ...secret.metadata, namespace } }, fieldManager: FIELD_MANAGER });
        return true;
      } catch (err) {
        if ((err as { code?: number }).code === 409) return false;
        throw err;
      }
    },
    async event(involved, type, reason, message) {
      const now = new Date();
      await core.createNamespacedEvent({
        namespace,
        body: {
          metadata: { generateName: `${involved.metadata?.name ?? "object"}.`, namespace },
          involvedObject: {
            apiVersion: involved.apiVersion,
            kind: involved.kind,
            name: involved.metadata?.name,
            namespace,
            uid: involved.metadata?.uid,
            resourceVersion: involved.metadata?.resourceVersion,
          },
          type,
          reason,
          message: message.slice(0, 1024),
          source: { component: FIELD_MANAGER },
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
          reportingComponent: FIELD_MANAGER,
          reportingInstance: process.env.HOSTNAME ?? "local",
        },
      });
    },
  };
}
