// The thin Kubernetes layer: @kubernetes/client-node's generic object API with 404 -> undefined,
// 409 -> Conflict, and every write under one field manager.
import { ApiException, KubeConfig, KubernetesObjectApi, PatchStrategy, type KubernetesObject } from "@kubernetes/client-node";
import { loadKubeConfig } from "@fireworkers/kube-client";

export const FIELD_MANAGER = "fake-cf-api";

export class Conflict extends Error {
  constructor(message: string) {
    super(message);
    this.name = "Conflict";
  }
}

/** Any failure talking to the apiserver other than 404/409: the API answers 5xx and changes nothing more. */
export class KubeUnavailable extends Error {
  readonly code: number | undefined;
  constructor(message: string, code?: number) {
    super(message);
    this.name = "KubeUnavailable";
    this.code = code;
  }
}

export interface Obj extends KubernetesObject {
  metadata: NonNullable<KubernetesObject["metadata"]> & { name: string };
}

const statusOf = (err: unknown) => (err instanceof ApiException ? err.code : undefined);

function wrap(err: unknown, what: string): never {
  const code = statusOf(err);
  if (code === 409) throw new Conflict(`${what}: conflict`);
  const detail = err instanceof ApiException ? `${code}: ${String(err.body).slice(0, 300)}` : String(err);
  throw new KubeUnavailable(`${what}: ${detail}`, code);
}

export class Kube {
  readonly namespace: string;
  private readonly api: KubernetesObjectApi;

  constructor(kubeConfig: KubeConfig, namespace: string) {
    this.api = KubernetesObjectApi.makeApiClient(kubeConfig);
    this.namespace = namespace;
  }

  /** KUBECONFIG (or ~/.kube/config), else the in-cluster service account; one keep-alive connection for all requests. */
  static fromDefault(namespace: string): Kube {
    return new Kube(loadKubeConfig(), namespace);
  }

  async get<T extends Obj>(apiVersion: string, kind: string, name: string): Promise<T | undefined> {
    try {
      return (await this.api.read({ apiVersion, kind, metadata: { name, namespace: this.namespace } })) as T;
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      wrap(err, `get ${kind}/${name}`);
    }
  }

  async list<T extends Obj>(apiVersion: string, kind: string, labels: Record<string, string>): Promise<T[]> {
    const selector = Object.entries(labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(",");
    try {
      const out: T[] = [];
      let token: string | undefined;
      do {
        const page = await this.api.list(apiVersion, kind, this.namespace, undefined, undefined, undefined, undefined, selector, 500, token);
        out.push(...(page.items as T[]));
        token = page.metadata?._continue || undefined;
      } while (token);
      return out;
    } catch (err) {
      wrap(err, `list ${kind} ${selector}`);
    }
  }

  async create<T extends Obj>(obj: T): Promise<T> {
    try {
      return (await this.api.create({ ...obj, metadata: { ...obj.metadata, namespace: this.namespace } }, undefined, undefined, FIELD_MANAGER)) as T;
    } catch (err) {
      wrap(err, `create ${obj.kind}/${obj.metadata.name}`);
    }
  }

  /** Replaces the object; fails with Conflict unless metadata.resourceVersion is still current. */
  async replace<T extends Obj>(obj: T): Promise<T> {
    try {
      return (await this.api.replace({ ...obj, metadata: { ...obj.metadata, namespace: this.namespace } }, undefined, undefined, FIELD_MANAGER)) as T;
    } catch (err) {
      wrap(err, `replace ${obj.kind}/${obj.metadata.name}`);
    }
  }

  async mergePatch<T extends Obj>(apiVersion: string, kind: string, name: string, patch: Record<string, unknown>): Promise<T> {
    const body = { apiVersion, kind, ...patch, metadata: { ...(patch.metadata as object), name, namespace: this.namespace } };
    try {
      return (await this.api.patch(body as KubernetesObject, undefined, undefined, FIELD_MANAGER, undefined, PatchStrategy.MergePatch)) as T;
    } catch (err) {
      wrap(err, `patch ${kind}/${name}`);
    }
  }

  /** Deletes; false when it was already gone. Background propagation lets the garbage collector take the
   * object's dependents. */
  async delete(apiVersion: string, kind: string, name: string): Promise<boolean> {
    try {
      await this.api.delete({ apiVersion, kind, metadata: { name, namespace: this.namespace } }, undefined, undefined, undefined, undefined, "Background");
      return true;
    } catch (err) {
      if (statusOf(err) === 404) return false;
      wrap(err, `delete ${kind}/${name}`);
    }
  }
}
