// WorkerKVNamespace objects: a namespace's name is its id; labels say its account and (hashed) title, so a
// duplicate title is found by selector. Objects being deleted (their data going, through the operator's
// finalizer) count as gone.
import { LABELS, S3_FINALIZER, type ObjectMeta, type WorkerAccount, type WorkerKVNamespace } from "@fireworkers/crd-types";
import { KINDS } from "@fireworkers/kube";
import { KV_TITLE_LABEL, newNamespaceId, titleExists, titleLabel } from "../domain/kv.ts";
import type { Kube } from "./kube.ts";
import { ownerRef } from "./objects.ts";

const live = (o: { metadata: ObjectMeta }) => !o.metadata.deletionTimestamp;

export class KvNamespaces {
  private readonly kube: Kube;
  constructor(kube: Kube) {
    this.kube = kube;
  }

  async list(accountId: string): Promise<WorkerKVNamespace[]> {
    return (await this.kube.list(KINDS.WorkerKVNamespace, { labelSelector: { [LABELS.account]: accountId } })).items.filter(live);
  }

  /** The account's live namespace of that id, or undefined (another account's namespace is undefined too). */
  async get(accountId: string, id: string): Promise<WorkerKVNamespace | undefined> {
    const o = await this.kube.get(KINDS.WorkerKVNamespace, id);
    return o && live(o) && o.spec.accountId === accountId ? o : undefined;
  }

  private async titleTaken(accountId: string, title: string, except?: string): Promise<boolean> {
    const same = await this.kube.list(KINDS.WorkerKVNamespace, { labelSelector: { [LABELS.account]: accountId, [KV_TITLE_LABEL]: titleLabel(title) } });
    return same.items.some((o) => live(o) && o.spec.title === title && o.metadata.name !== except);
  }

  async create(account: WorkerAccount, title: string): Promise<WorkerKVNamespace> {
    const accountId = account.metadata.name;
    if (await this.titleTaken(accountId, title)) throw titleExists(title);
    return this.kube.create(KINDS.WorkerKVNamespace, {
      apiVersion: "api.cf-worker/v1",
      kind: "WorkerKVNamespace",
      metadata: {
        name: newNamespaceId(),
        labels: { [LABELS.managedBy]: "fake-cf-api", [LABELS.account]: accountId, [KV_TITLE_LABEL]: titleLabel(title) },
        // The operator empties the namespace's S3 prefix, then lets the object go.
        finalizers: [S3_FINALIZER],
        // Deleting the account deletes its namespaces (and, through the finalizer, their data).
        ownerReferences: [ownerRef(account)],
      },
      spec: { accountId, title },
    });
  }

  async rename(ns: WorkerKVNamespace, title: string): Promise<WorkerKVNamespace> {
    if (ns.spec.title === title) return ns;
    if (await this.titleTaken(ns.spec.accountId, title, ns.metadata.name)) throw titleExists(title);
    return this.kube.replace(KINDS.WorkerKVNamespace, {
      ...ns,
      metadata: { ...ns.metadata, labels: { ...ns.metadata.labels, [KV_TITLE_LABEL]: titleLabel(title) } },
      spec: { ...ns.spec, title },
    });
  }

  async delete(ns: WorkerKVNamespace): Promise<void> {
    await this.kube.delete(KINDS.WorkerKVNamespace, ns.metadata.name);
  }
}
