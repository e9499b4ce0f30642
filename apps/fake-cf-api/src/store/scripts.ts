// WorkerScript <account>.<script>: per-script settings and counters (store/counters.ts), owner of the
// script's versions, deployments and Secret. The API keeps no state of its own.
import {
  API_VERSION,
  CREATED_ON,
  SCRIPT_COUNTERS,
  LABELS,
  scriptSecretName,
  workerScriptName,
  type WorkerAccount,
  type WorkerScript,
  type WorkerScriptSpec,
} from "@fireworkers/crd-types";
import { NotFound } from "../domain/errors.ts";
import { Conflict, KINDS } from "@fireworkers/kube";
import type { Kube } from "./kube.ts";
import { live, MANAGED_BY, ownedBy, ownerRef, scriptLabels } from "./objects.ts";

export class ScriptStore {
  private readonly kube: Kube;
  constructor(kube: Kube) {
    this.kube = kube;
  }

  async get(accountId: string, scriptName: string): Promise<WorkerScript | undefined> {
    const s = await this.kube.get(KINDS.WorkerScript, workerScriptName(accountId, scriptName));
    return s && live(s) ? s : undefined;
  }

  /** The script, or NotFound. */
  async require(accountId: string, scriptName: string): Promise<WorkerScript> {
    const script = await this.get(accountId, scriptName);
    if (!script) throw new NotFound("worker", scriptName);
    return script;
  }

  async list(accountIds: string[]): Promise<WorkerScript[]> {
    const out: WorkerScript[] = [];
    for (const accountId of accountIds) {
      out.push(...(await this.kube.list(KINDS.WorkerScript, { labelSelector: { [LABELS.account]: accountId } })).items.filter(live));
    }
    return out;
  }

  /**
   * The script, created (owned by its account) if it does not exist yet. A script this call creates starts
   * with `counters` already taken (e.g. { versions: 1 }: its first version is number 1), which saves the
   * counter writes of a first upload. Create first, read on conflict: one request in the common case.
   */
  async ensure(
    account: WorkerAccount,
    scriptName: string,
    counters: Partial<Record<keyof typeof SCRIPT_COUNTERS, number>> = {},
  ): Promise<{ script: WorkerScript; created: boolean }> {
    const accountId = account.metadata.name;
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const script = await this.kube.create(KINDS.WorkerScript, {
          apiVersion: API_VERSION,
          kind: "WorkerScript",
          metadata: {
            name: workerScriptName(accountId, scriptName),
            labels: { ...scriptLabels(accountId, scriptName), ...MANAGED_BY },
            annotations: {
              [CREATED_ON]: new Date().toISOString(),
              ...Object.fromEntries(Object.entries(counters).map(([k, n]) => [SCRIPT_COUNTERS[k as keyof typeof SCRIPT_COUNTERS], String(n)])),
            },
            ownerReferences: [ownerRef(account)],
          },
          spec: { accountId, scriptName },
        });
        return { script, created: true };
      } catch (err) {
        // Created meanwhile by a concurrent request, or an earlier one of that name is still being deleted.
        if (!(err instanceof Conflict)) throw err;
        const existing = await this.get(accountId, scriptName);
        if (existing) return { script: existing, created: false };
        await new Promise((r) => setTimeout(r, 100 * (attempt + 1)));
      }
    }
    throw new Error(`could not create WorkerScript ${workerScriptName(accountId, scriptName)}`);
  }

  /** Changes the script's spec with optimistic concurrency; returns the updated script. */
  async update(script: WorkerScript, change: (spec: WorkerScriptSpec) => WorkerScriptSpec): Promise<WorkerScript> {
    let current: WorkerScript | undefined = script;
    for (let attempt = 0; attempt < 10 && current; attempt++) {
      try {
        return await this.kube.replace(KINDS.WorkerScript, { ...current, spec: change(structuredClone(current.spec)) });
      } catch (err) {
        if (!(err instanceof Conflict)) throw err;
        current = await this.get(script.spec.accountId, script.spec.scriptName);
      }
    }
    throw new Error(`could not update WorkerScript ${script.metadata.name} (conflicts or deleted)`);
  }

  /**
   * Deletes the script: the WorkerScript first (from then on the script does not exist for any reader),
   * then its deployments, versions (their finalizer lets the operator delete the S3 objects) and secrets.
   * The owner references make the garbage collector finish the job if this is interrupted.
   */
  async delete(script: WorkerScript): Promise<void> {
    const labelSelector = scriptLabels(script.spec.accountId, script.spec.scriptName);
    const deployments = (await this.kube.list(KINDS.WorkerDeployment, { labelSelector })).items;
    const versions = (await this.kube.list(KINDS.WorkerVersion, { labelSelector })).items;
    await this.kube.delete(KINDS.WorkerScript, script.metadata.name);
    for (const o of deployments.filter(ownedBy(script))) await this.kube.delete(KINDS.WorkerDeployment, o.metadata.name);
    for (const o of versions.filter(ownedBy(script))) await this.kube.delete(KINDS.WorkerVersion, o.metadata.name);
    // By name only if it is this script's: a script of the same name created meanwhile owns its own.
    const secret = await this.kube.get(KINDS.Secret, scriptSecretName(script.spec.accountId, script.spec.scriptName));
    if (secret?.metadata?.name && ownedBy(script)(secret)) await this.kube.delete(KINDS.Secret, secret.metadata.name);
  }
}
