// A script's secrets: one Kubernetes Secret (keys = secret names), owned by the WorkerScript. Values are
// only ever written here: never to S3, a CR, a log line or a response. An annotation records when each key
// last changed (no values), which the 10220 "secrets changed since that version" check needs.
import { LABELS, scriptSecretName, type WorkerScript } from "@fireworkers/crd-types";
import { Conflict, KINDS, type Secret } from "@fireworkers/kube";
import type { Kube } from "./kube.ts";
import { ownerRef, scriptLabels } from "./objects.ts";

const UPDATED = "api.cf-worker/secrets-updated-at";

export interface SecretState {
  /** name -> last change (ms since epoch). */
  updated: Record<string, number>;
}

export const secretNames = (s: SecretState) => Object.keys(s.updated).sort();

function stateOf(obj: Secret | undefined): SecretState {
  if (!obj) return { updated: {} };
  let stamps: Record<string, string> = {};
  try {
    stamps = JSON.parse(obj.metadata?.annotations?.[UPDATED] ?? "{}");
  } catch {
    stamps = {};
  }
  const updated: Record<string, number> = {};
  for (const key of Object.keys(obj.data ?? {})) updated[key] = new Date(stamps[key] ?? 0).getTime();
  return { updated };
}

export class Secrets {
  private readonly kube: Kube;
  constructor(kube: Kube) {
    this.kube = kube;
  }

  async read(script: WorkerScript): Promise<SecretState> {
    return stateOf(await this.kube.get(KINDS.Secret, scriptSecretName(script.spec.accountId, script.spec.scriptName)));
  }

  /** Sets and deletes keys in one compare-and-swap write; returns the new state. */
  async apply(script: WorkerScript, upserts: Record<string, string>, deletes: string[]): Promise<SecretState> {
    const name = scriptSecretName(script.spec.accountId, script.spec.scriptName);
    const now = new Date().toISOString();
    for (let attempt = 0; attempt < 10; attempt++) {
      const existing = await this.kube.get(KINDS.Secret, name);
      const data = { ...(existing?.data ?? {}) };
      let stamps: Record<string, string> = {};
      try {
        stamps = JSON.parse(existing?.metadata?.annotations?.[UPDATED] ?? "{}");
      } catch {
        stamps = {};
      }
      for (const key of deletes) {
        delete data[key];
        delete stamps[key];
      }
      for (const [key, value] of Object.entries(upserts)) {
        data[key] = Buffer.from(value, "utf8").toString("base64");
        stamps[key] = now;
      }
      const metadata = {
        ...(existing?.metadata ?? {}),
        name,
        labels: { ...existing?.metadata?.labels, ...scriptLabels(script.spec.accountId, script.spec.scriptName), [LABELS.managedBy]: "fake-cf-api" },
        annotations: { ...existing?.metadata?.annotations, [UPDATED]: JSON.stringify(stamps) },
        ownerReferences: [ownerRef(script)],
      };
      const obj: Secret = { type: "Opaque", metadata, data };
      try {
        const saved = existing ? await this.kube.replace(KINDS.Secret, obj) : await this.kube.create(KINDS.Secret, obj);
        return stateOf(saved);
      } catch (err) {
        if (!(err instanceof Conflict)) throw err;
      }
    }
    throw new Error(`could not update Secret ${name} (conflicts)`);
  }
}
