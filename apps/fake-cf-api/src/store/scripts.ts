// Scripts, versions and deployments as Kubernetes objects (the API keeps no state of its own):
//   WorkerScript     <account>.<script>  per-script settings + counters; owner of everything below
//   WorkerVersion    <version uuid>      immutable; created last, after its S3 objects, with a finalizer
//   WorkerDeployment <deployment uuid>   immutable; the highest spec.number is in force
// Objects being deleted (deletionTimestamp set) and objects of an earlier script of the same name (another
// owner uid) count as gone.
import {
  API_VERSION,
  CREATED_ON,
  deploymentsNewestFirst,
  S3_FINALIZER,
  LABELS,
  SCRIPT_COUNTERS,
  scriptSecretName,
  workerScriptName,
  type ObjectMeta,
  type WorkerAccount,
  type WorkerDeployment,
  type WorkerDeploymentSpec,
  type WorkerScript,
  type WorkerScriptSpec,
  type WorkerVersion,
  type WorkerVersionSpec,
} from "@fireworkers/crd-types";
import { prunable, versionsNewestFirst } from "../domain/deployments.ts";
import { Conflict, KINDS } from "@fireworkers/kube";
import type { Kube } from "./kube.ts";

const MANAGED_BY = { [LABELS.managedBy]: "fake-cf-api" };

export const scriptLabels = (accountId: string, scriptName: string) => ({ [LABELS.account]: accountId, [LABELS.script]: scriptName });

const live = (o: { metadata: ObjectMeta }) => !o.metadata.deletionTimestamp;
const ownedBy = (script: WorkerScript) => (o: { metadata?: Pick<ObjectMeta, "ownerReferences"> }) => (o.metadata?.ownerReferences ?? []).some((r) => r.uid === script.metadata.uid);

export const ownerRef = (o: { kind: string; metadata: ObjectMeta }) => ({
  apiVersion: API_VERSION,
  kind: o.kind,
  name: o.metadata.name,
  uid: o.metadata.uid!,
  blockOwnerDeletion: false,
});

export class Scripts {
  private readonly kube: Kube;
  constructor(kube: Kube) {
    this.kube = kube;
  }

  async account(accountId: string): Promise<WorkerAccount | undefined> {
    const a = await this.kube.get(KINDS.WorkerAccount, accountId);
    return a && live(a) ? a : undefined;
  }

  async get(accountId: string, scriptName: string): Promise<WorkerScript | undefined> {
    const s = await this.kube.get(KINDS.WorkerScript, workerScriptName(accountId, scriptName));
    return s && live(s) ? s : undefined;
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
   * The next number of a per-script counter, unique across API replicas (compare-and-swap on the script).
   * Returns the updated script too, so that the caller's next write does not start from a stale copy.
   */
  async next(script: WorkerScript, counter: keyof typeof SCRIPT_COUNTERS): Promise<{ number: number; script: WorkerScript }> {
    const { numbers, script: saved } = await this.nextAll(script, [counter]);
    return { number: numbers[counter]!, script: saved };
  }

  /** The next number of several counters at once: one write. */
  async nextAll<K extends keyof typeof SCRIPT_COUNTERS>(script: WorkerScript, counters: K[]): Promise<{ numbers: Partial<Record<K, number>>; script: WorkerScript }> {
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
        current = await this.get(script.spec.accountId, script.spec.scriptName);
      }
    }
    throw new Error(`could not allocate ${counters.join(" and ")} numbers for ${script.metadata.name}`);
  }

  async versions(script: WorkerScript): Promise<WorkerVersion[]> {
    const all = (await this.kube.list(KINDS.WorkerVersion, { labelSelector: scriptLabels(script.spec.accountId, script.spec.scriptName) })).items;
    return versionsNewestFirst(all.filter(live).filter(ownedBy(script)));
  }

  async version(script: WorkerScript, versionId: string): Promise<WorkerVersion | undefined> {
    const v = await this.kube.get(KINDS.WorkerVersion, versionId);
    return v && live(v) && ownedBy(script)(v) && v.spec.scriptName === script.spec.scriptName ? v : undefined;
  }

  async createVersion(script: WorkerScript, spec: WorkerVersionSpec, createdOn: string): Promise<WorkerVersion> {
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
  async discardVersion(versionId: string): Promise<void> {
    await this.kube.mergePatch(KINDS.WorkerVersion, versionId, { metadata: { finalizers: null } }).catch(() => undefined);
    await this.kube.delete(KINDS.WorkerVersion, versionId);
  }

  async deployments(script: WorkerScript): Promise<WorkerDeployment[]> {
    const all = (await this.kube.list(KINDS.WorkerDeployment, { labelSelector: scriptLabels(script.spec.accountId, script.spec.scriptName) })).items;
    return deploymentsNewestFirst(all.filter(live).filter(ownedBy(script)));
  }

  async createDeployment(script: WorkerScript, spec: WorkerDeploymentSpec, createdOn: string): Promise<WorkerDeployment> {
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

  /** Keeps the newest `keep` deployment records of the script; never the one in force. */
  async pruneDeployments(script: WorkerScript, keep: number): Promise<string[]> {
    const names = prunable(await this.deployments(script), keep);
    for (const name of names) await this.kube.delete(KINDS.WorkerDeployment, name);
    return names;
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
