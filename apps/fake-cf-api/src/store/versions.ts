// WorkerVersion <version uuid>: immutable, owned by its WorkerScript; created last, after its S3 objects,
// with a finalizer through which the operator deletes those objects once the version is deleted.
import { API_VERSION, CREATED_ON, LABELS, S3_FINALIZER, type WorkerScript, type WorkerVersion, type WorkerVersionSpec } from "@fireworkers/crd-types";
import { versionsNewestFirst } from "../domain/deployments.ts";
import { KINDS } from "@fireworkers/kube";
import type { Kube } from "./kube.ts";
import { live, MANAGED_BY, ownedBy, ownerRef, scriptLabels } from "./objects.ts";

export class VersionStore {
  private readonly kube: Kube;
  constructor(kube: Kube) {
    this.kube = kube;
  }

  /** The script's versions, newest first. */
  async list(script: WorkerScript): Promise<WorkerVersion[]> {
    const all = (await this.kube.list(KINDS.WorkerVersion, { labelSelector: scriptLabels(script.spec.accountId, script.spec.scriptName) })).items;
    return versionsNewestFirst(all.filter(live).filter(ownedBy(script)));
  }

  async latest(script: WorkerScript): Promise<WorkerVersion | undefined> {
    return (await this.list(script))[0];
  }

  async get(script: WorkerScript, versionId: string): Promise<WorkerVersion | undefined> {
    const v = await this.kube.get(KINDS.WorkerVersion, versionId);
    return v && live(v) && ownedBy(script)(v) && v.spec.scriptName === script.spec.scriptName ? v : undefined;
  }

  async create(script: WorkerScript, spec: WorkerVersionSpec, createdOn: string): Promise<WorkerVersion> {
    return this.kube.create(KINDS.WorkerVersion, {
      apiVersion: API_VERSION,
      kind: "WorkerVersion",
      metadata: {
        name: spec.versionId,
        labels: { ...scriptLabels(spec.accountId, spec.scriptName), [LABELS.version]: spec.versionId, ...MANAGED_BY },
        annotations: { [CREATED_ON]: createdOn },
        finalizers: [S3_FINALIZER],
        ownerReferences: [ownerRef(script)],
      },
      spec,
    });
  }

  /** Removes a version this API wrote but must not keep (its S3 objects are already deleted by the caller). */
  async discard(versionId: string): Promise<void> {
    await this.kube.mergePatch(KINDS.WorkerVersion, versionId, { metadata: { finalizers: null } }).catch(() => undefined);
    await this.kube.delete(KINDS.WorkerVersion, versionId);
  }

  /** Deletes kept versions that fell out of the history; the finalizer stays, so the operator deletes their
   * S3 objects before the objects go. */
  async delete(names: string[]): Promise<void> {
    for (const name of names) await this.kube.delete(KINDS.WorkerVersion, name);
  }
}
