import { API_VERSION, createdMs, LABELS, type ObjectMeta, type OwnerReference } from "@fireworkers/crd-types";
import { createHash } from "node:crypto";

export const MANAGED_BY = "fireworkers-operator";

/** The controller reference that makes a child garbage-collected with its owner. */
export function controllerRef(owner: { apiVersion?: string; kind: string; metadata: ObjectMeta }): OwnerReference {
  return {
    apiVersion: owner.apiVersion ?? API_VERSION,
    kind: owner.kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}

export const managedLabels = (account: string) => ({ [LABELS.managedBy]: MANAGED_BY, [LABELS.account]: account });

/** JSON with sorted keys: equal data gives an equal string, whatever the key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

export const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** Newest first by creation time, then by name so the order is total. */
export function newestFirst<T extends { metadata: ObjectMeta }>(items: T[]): T[] {
  return [...items].sort((a, b) => createdMs(b) - createdMs(a) || b.metadata.name.localeCompare(a.metadata.name));
}

export const isDeleting = (o: { metadata: ObjectMeta }) => Boolean(o.metadata.deletionTimestamp);
