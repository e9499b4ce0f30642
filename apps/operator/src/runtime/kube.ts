// The operator's Kubernetes client: @fireworkers/kube, namespace-bound, every write (server-side apply,
// status apply, merge patches) under the operator's field manager. Reads go to the informer caches.
import { KubeClient, loadKubeConfig, type KubeConfig } from "@fireworkers/kube";

export const FIELD_MANAGER = "fireworkers-operator";

export type Kube = KubeClient;

/** `config` defaults to KUBECONFIG (or ~/.kube/config), else the pod's service account. */
export function createKube(namespace: string, config: KubeConfig = loadKubeConfig()): Kube {
  return new KubeClient(config, { namespace, fieldManager: FIELD_MANAGER });
}
