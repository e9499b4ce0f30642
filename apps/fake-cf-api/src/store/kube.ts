// The API's Kubernetes client: @fireworkers/kube, namespace-bound, every write under the API's field manager.
import { KubeClient, loadKubeConfig, type KubeConfig } from "@fireworkers/kube";

export const FIELD_MANAGER = "fake-cf-api";

export type Kube = KubeClient;

/** `config` defaults to KUBECONFIG (or ~/.kube/config), else the pod's service account. */
export function createKube(namespace: string, config: KubeConfig = loadKubeConfig()): Kube {
  return new KubeClient(config, { namespace, fieldManager: FIELD_MANAGER });
}
