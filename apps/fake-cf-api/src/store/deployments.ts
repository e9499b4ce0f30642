// WorkerDeployment <deployment uuid>: immutable, owned by its WorkerScript; the highest spec.number is in force.
import { API_VERSION, CREATED_ON, deploymentsNewestFirst, type WorkerDeployment, type WorkerDeploymentSpec, type WorkerScript } from "@fireworkers/crd-types";
import { KINDS } from "@fireworkers/kube";
import type { Kube } from "./kube.ts";
import { live, MANAGED_BY, ownedBy, ownerRef, scriptLabels } from "./objects.ts";

export class DeploymentStore {
  private readonly kube: Kube;
  constructor(kube: Kube) {
    this.kube = kube;
  }

  /** The script's deployments, newest (in force) first. */
  async list(script: WorkerScript): Promise<WorkerDeployment[]> {
    const all = (await this.kube.list(KINDS.WorkerDeployment, { labelSelector: scriptLabels(script.spec.accountId, script.spec.scriptName) })).items;
    return deploymentsNewestFirst(all.filter(live).filter(ownedBy(script)));
  }

  async create(script: WorkerScript, spec: WorkerDeploymentSpec, createdOn: string): Promise<WorkerDeployment> {
    return this.kube.create(KINDS.WorkerDeployment, {
      apiVersion: API_VERSION,
      kind: "WorkerDeployment",
      metadata: {
        name: spec.deploymentId,
        labels: { ...scriptLabels(spec.accountId, spec.scriptName), ...MANAGED_BY },
        annotations: { [CREATED_ON]: createdOn },
        ownerReferences: [ownerRef(script)],
      },
      spec,
    });
  }

  async delete(names: string[]): Promise<void> {
    for (const name of names) await this.kube.delete(KINDS.WorkerDeployment, name);
  }
}
