// Secret changes by API (secret put / delete / bulk, and wrangler 3's PATCH settings): like Cloudflare, each
// one makes a new version with the same code and the new secret set, deployed at 100% ("triggered_by":
// "secret"). Refused with 10215 when the latest version is not the one fully deployed, since deploying it
// would ship an upload nobody deployed.
import { randomUUID } from "node:crypto";
import type { Binding, WorkerScript, WorkerVersion } from "@fireworkers/crd-types";
import { metadataKey, moduleKey, versionPrefix } from "@fireworkers/storage";
import { withSecrets } from "../domain/bindings.ts";
import { NotFound, secretEditRefused } from "../domain/errors.ts";
import type { TokenRecord } from "../domain/tokens.ts";
import type { Context } from "../context.ts";
import { brief } from "../log.ts";
import { secretNames, type SecretState } from "../store/secrets.ts";
import { pruneVersions, recordDeployment } from "./deploy.ts";
import { assertRenderable } from "./renderable.ts";

export interface SecretChange {
  accountId: string;
  scriptName: string;
  upserts: Record<string, string>;
  deletes: string[];
  /** New bindings for the version (PATCH settings); default: the latest version's, with the new secret set. */
  bindings?: (secretNames: string[]) => Binding[];
  token: TokenRecord;
}

export async function changeSecrets(ctx: Context, change: SecretChange): Promise<SecretState> {
  const { stores } = ctx;
  const script = await stores.scripts.require(change.accountId, change.scriptName);
  const [latest] = await stores.versions.list(script);
  const [current] = await stores.deployments.list(script);
  const fullyDeployed = current?.spec.versions.length === 1 && current.spec.versions[0]!.versionId === latest?.spec.versionId;
  if (!latest || !fullyDeployed) throw secretEditRefused();
  const before = await stores.secrets.read(script);
  for (const name of change.deletes) if (!Object.hasOwn(before.updated, name)) throw new NotFound("secret", name);

  const after = await stores.secrets.apply(script, change.upserts, change.deletes);
  // Read again once the version number is taken: a secret change racing on another replica then lands
  // in whichever of the two versions is numbered last, instead of being dropped from it.
  const bindingsNow = async () => {
    const names = secretNames(await stores.secrets.read(script));
    return change.bindings ? change.bindings(names) : withSecrets(latest.spec.bindings ?? [], names);
  };
  await newVersionFrom(ctx, script, latest, bindingsNow, "secret", change.token);
  return after;
}

/** A new version reusing another's modules (copied inside S3), deployed at 100%. */
export async function newVersionFrom(
  ctx: Context,
  script: WorkerScript,
  from: WorkerVersion,
  bindingsNow: () => Promise<Binding[]>,
  triggeredBy: string,
  token: TokenRecord,
): Promise<WorkerVersion> {
  const { stores } = ctx;
  const versionId = randomUUID();
  const prefix = versionPrefix(script.spec.accountId, script.spec.scriptName, versionId);
  const written = from.spec.modules.map((m) => moduleKey(prefix, m.name)).concat(metadataKey(prefix));
  let created = false;
  try {
    await stores.s3.copyModules(from.spec.storage.prefix, prefix, from.spec.modules);
    const { number, script: current } = await stores.counters.next(script, "versions");
    const bindings = await bindingsNow();
    assertRenderable(script.spec.scriptName, { ...from.spec, versionId, bindings });
    const createdOn = new Date().toISOString();
    const spec = {
      ...from.spec,
      versionId,
      number,
      storage: { bucket: stores.s3.bucket, prefix },
      bindings,
      annotations: { "workers/triggered_by": triggeredBy },
      source: "wrangler",
      authorEmail: token.email,
    };
    await stores.s3.putMetadata(prefix, { ...spec, createdOn });
    const version = await stores.versions.create(current, spec, createdOn);
    created = true;
    ctx.metrics.versions.inc({ mode: triggeredBy });
    await recordDeployment(ctx, current, [{ versionId, percentage: 100 }], { triggeredBy, token });
    await pruneVersions(ctx, current, number);
    return version;
  } catch (err) {
    if (created) await stores.versions.discard(versionId).catch((e) => ctx.log.error({ err: brief(e), versionId }, "could not discard version"));
    await stores.s3.deleteKeys(written).catch((e) => ctx.log.error({ err: brief(e), prefix }, "could not delete the objects of a failed version"));
    throw err;
  }
}
