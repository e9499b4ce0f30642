// WorkerKVNamespace objects: a namespace's name is its id; labels say its account and (hashed) title, so a
// duplicate title is found by selector. Objects being deleted (their data going, through the operator's
// finalizer) count as gone.
import { API_VERSION, LABELS, S3_FINALIZER, type ObjectMeta, type WorkerAccount, type WorkerKVNamespace } from "@fireworkers/crd-types";
import { KV_TITLE_LABEL, newNamespaceId, titleExists, titleLabel } from "../domain/kv.ts";
import type { Kube, Obj } from "./kube.ts";
import { ownerRef } from "./objects.ts";

type Ns = WorkerKVNamespace & Obj;
const KIND = "WorkerKVNamespace";
const live = (o: { metadata: ObjectMeta }) => !o.metadata.deletionTimestamp;

export class KvNamespaces {
  private readonly kube: Kube;
  constructor(kube: Kube) {
    this.kube = kube;
  }

  async list(accountId: string): Promise<WorkerKVNamespace[]> {
    return (await this.kube.list<Ns>(API_VERSION, KIND, { [LABELS.account]: accountId })).filter(live);
  }

  /** The account's live namespace of that id, or undefined (another account's namespace is undefined too). */
  async get(accountId: string, id: string): Promise<WorkerKVNamespace | undefined> {
    const o = await this.kube.get<Ns>(API_VERSION, KIND, id);
    return o && live(o) && o.spec.accountId === accountId ? o : undefined;
  }

  private async titleTaken(accountId: string, title: string, except?: string): Promise<boolean> {
    const same = await this.kube.list<Ns>(API_VERSION, KIND, { [LABELS.account]: accountId, [KV_TITLE_LABEL]: titleLabel(title) });
    return same.some((o) => live(o) && o.spec.title === title && o.metadata.name !== except);
  }

  async create(account: WorkerAccount, title: string): Promise<WorkerKVNamespace> {
    const accountId = account.metadata.name;
    if (await this.titleTaken(accountId, title)) throw titleExists(title);
    return this.kube.create<Ns>({
      apiVersion: API_VERSION,
      kind: KIND,
      metadata: {
        name: newNamespaceId(),
        labels: { [LABELS.managedBy]: "fake-cf-api", [LABELS.account]: accountId, [KV_TITLE_LABEL]: titleLabel(title) },
        // The operator empties the namespace's S3 prefix, then lets the object go.
        finalizers: [S3_FINALIZER],
        // Deleting the account deletes its namespaces (and, through the finalizer, their data).
        ownerReferences: [ownerRef(account)],
      },
      spec: { accountId, title },
    } as Ns);
  }

  async rename(ns: WorkerKVNamespace, title: string): Promise<WorkerKVNamespace> {
    if (ns.spec.title === title) return ns;
    if (await this.titleTaken(ns.spec.accountId, title, ns.metadata.name)) throw titleExists(title);
    return this.kube.replace<Ns>({
      ...ns,
      metadata: { ...ns.metadata, labels: { ...ns.metadata.labels, [KV_TITLE_LABEL]: titleLabel(title) } },
      spec: { ...ns.spec, title },
    } as Ns);
  }

  async delete(ns: WorkerKVNamespace): Promise<void> {
    await this.kube.delete(API_VERSION, KIND, ns.metadata.name);
  }
}
