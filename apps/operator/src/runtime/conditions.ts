import type { Condition } from "@fireworkers/crd-types";

export type ConditionInput = Omit<Condition, "lastTransitionTime" | "observedGeneration">;

/**
 * Returns `conditions` with `next` set, keeping lastTransitionTime when the status did not change
 * (Kubernetes API conventions), so an unchanged observation produces an identical list.
 */
export function setCondition(conditions: Condition[] | undefined, next: ConditionInput, generation: number | undefined, now: Date): Condition[] {
  const list = conditions ?? [];
  const current = list.find((c) => c.type === next.type);
  const condition: Condition = {
    ...next,
    observedGeneration: generation,
    lastTransitionTime: current && current.status === next.status ? current.lastTransitionTime : now.toISOString().replace(/\.\d{3}Z$/, "Z"),
  };
  if (condition.observedGeneration === undefined) delete condition.observedGeneration;
  return [...list.filter((c) => c.type !== next.type), condition].sort((a, b) => a.type.localeCompare(b.type));
}
