// Secret changes by API (secret put / delete / bulk, and wrangler 3's PATCH settings): like Cloudflare, each
// one makes a new version with the same code and the new secret set, deployed at 100% ("triggered_by":
// "secret"). Refused with 10215 when the latest version is not the one fully deployed, since deploying it
// would ship an upload nobody deployed.
import { randomUUID } from "node:crypto";
import type { Binding, WorkerScript, WorkerVersion } from "@fireworkers/crd-types";
import { metadataKey, moduleKey, versionPrefix } from "@fireworkers/storage";
import { withSecrets } from "../domain/bindings.ts";
import type { TokenRecord } from "../domain/tokens.ts";
import { brief, secretEditFailed, secretNotFound, workerNotFound } from "../http/errors.ts";
import { secretNames, type SecretState } from "../store/secrets.ts";
import type { Deps } from "../deps.ts";
import { recordDeployment } from "./deploy.ts";
import { assertRenderable } from "./renderable.ts";

export interface SecretChange {
  upserts: Record<string, string>;
  deletes: string[];
  /** New bindings for the version (PATCH settings); default: the latest version's, with the new secret set. */
  bindings?: (secretNames: string[]) => Binding[];
}

export async function changeSecrets(deps: Deps, accountId: string, scriptName: string, change: SecretChange, token: TokenRecord): Promise<SecretState> {
  const script = await deps.scripts.get(accountId, scriptName);
  if (!script) throw workerNotFound();
  const [latest] = await deps.scripts.versions(script);
  const [current] = await deps.scripts.deployments(script);
  const fullyDeployed = current?.spec.versions.length === 1 && current.spec.versions[0]!.versionId === latest?.spec.versionId;
  if (!latest || !fullyDeployed) throw secretEditFailed();
  const before = await deps.secrets.read(script);
  for (const name of change.deletes) if (!Object.hasOwn(before.updated, name)) throw secretNotFound(name);

  const after = await deps.secrets.apply(script, change.upserts, change.deletes);
  // Read again once the version number is taken: a secret change racing on another replica then lands
  // in whichever of the two versions is numbered last, instead of being dropped from it.
  const bindingsNow = async () => {
    const names = secretNames(await deps.secrets.read(script));
    return change.bindings ? change.bindings(names) : withSecrets(latest.spec.bindings ?? [], names);
  };
  await newVersionFrom(deps, script, latest, bindingsNow, "secret", token);
  return after;
}

/** A new version reusing another's modules (copied inside S3), deployed at 100%. */
export async function newVersionFrom(
  deps: Deps,
  script: WorkerScript,
  from: WorkerVersion,
  bindingsNow: () => Promise<Binding[]>,
  triggeredBy: string,
  token: TokenRecord,
): Promise<WorkerVersion> {
  const versionId = randomUUID();
  const prefix = versionPrefix(script.spec.accountId, script.spec.scriptName, versionId);
  const written = from.spec.modules.map((m) => moduleKey(prefix, m.name)).concat(metadataKey(prefix));
  let created = false;
  try {
    await deps.s3.copyModules(from.spec.storage.prefix, prefix, from.spec.modules);
    const { number, script: current } = await deps.scripts.next(script, "versions");
    const bindings = await bindingsNow();
    assertRenderable(script.spec.scriptName, { ...from.spec, versionId, bindings });
    const createdOn = new Date().toISOString();
    const spec = {
      ...from.spec,
      versionId,
      number,
      storage: { bucket: deps.s3.bucket, prefix },
      bindings,
      annotations: { "workers/triggered_by": triggeredBy },
      source: "wrangler",
      authorEmail: token.email,
    };
    await deps.s3.putMetadata(prefix, { ...spec, createdOn });
    const version = await deps.scripts.createVersion(current, spec, createdOn);
    created = true;
    deps.metrics.versions.inc({ mode: triggeredBy });
    await recordDeployment(deps, current, [{ versionId, percentage: 100 }], { triggeredBy, token });
    return version;
  } catch (err) {
    if (created) await deps.scripts.discardVersion(versionId).catch((e) => deps.log.error({ err: brief(e), versionId }, "could not discard version"));
    await deps.s3.deleteKeys(written).catch((e) => deps.log.error({ err: brief(e), prefix }, "could not delete the objects of a failed version"));
    throw err;
  }
}
