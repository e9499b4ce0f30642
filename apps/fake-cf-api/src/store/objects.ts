// What every store of script-owned objects shares: labels, owner references, and which objects count.
// Objects being deleted (deletionTimestamp set) and objects of an earlier script of the same name (another
// owner uid) count as gone.
import { API_VERSION, LABELS, type ObjectMeta, type WorkerScript } from "@fireworkers/crd-types";

export const MANAGED_BY = { [LABELS.managedBy]: "fake-cf-api" };

export const scriptLabels = (accountId: string, scriptName: string) => ({ [LABELS.account]: accountId, [LABELS.script]: scriptName });

export const live = (o: { metadata: ObjectMeta }) => !o.metadata.deletionTimestamp;
export const ownedBy = (script: WorkerScript) => (o: { metadata?: Pick<ObjectMeta, "ownerReferences"> }) =>
  (o.metadata?.ownerReferences ?? []).some((r) => r.uid === script.metadata.uid);

export const ownerRef = (o: { kind: string; metadata: ObjectMeta }) => ({
  apiVersion: API_VERSION,
  kind: o.kind,
  name: o.metadata.name,
  uid: o.metadata.uid!,
  blockOwnerDeletion: false,
});
