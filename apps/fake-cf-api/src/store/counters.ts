// Per-script counters (version and deployment numbers) kept as annotations of the WorkerScript: a
// compare-and-swap on the script makes each number unique across API replicas.
import { SCRIPT_COUNTERS, type WorkerScript } from "@fireworkers/crd-types";
import { Conflict, KINDS } from "@fireworkers/kube";
import type { Kube } from "./kube.ts";
import type { ScriptStore } from "./scripts.ts";

export type Counter = keyof typeof SCRIPT_COUNTERS;

export class Counters {
  private readonly kube: Kube;
  private readonly scripts: ScriptStore;
  constructor(kube: Kube, scripts: ScriptStore) {
    this.kube = kube;
    this.scripts = scripts;
  }

  /** The next number of a counter. Returns the updated script too, so that the caller's next write does not
   * start from a stale copy. */
  async next(script: WorkerScript, counter: Counter): Promise<{ number: number; script: WorkerScript }> {
    const { numbers, script: saved } = await this.nextAll(script, [counter]);
    return { number: numbers[counter]!, script: saved };
  }

  /** The next number of several counters at once: one write. */
  async nextAll<K extends Counter>(script: WorkerScript, counters: K[]): Promise<{ numbers: Partial<Record<K, number>>; script: WorkerScript }> {
    let current: WorkerScript | undefined = script;
    for (let attempt = 0; attempt < 20 && current; attempt++) {
      const numbers: Partial<Record<K, number>> = {};
      const annotations = { ...current.metadata.annotations };
      for (const counter of counters) {
        const key = SCRIPT_COUNTERS[counter];
        numbers[counter] = Number(annotations[key] ?? 0) + 1;
        annotations[key] = String(numbers[counter]);
      }
      try {
        const saved = await this.kube.replace(KINDS.WorkerScript, { ...current, metadata: { ...current.metadata, annotations } });
        return { numbers, script: saved };
      } catch (err) {
        if (!(err instanceof Conflict)) throw err;
        current = await this.scripts.get(script.spec.accountId, script.spec.scriptName);
      }
    }
    throw new Error(`could not allocate ${counters.join(" and ")} numbers for ${script.metadata.name}`);
  }
}
