// One script upload (PUT .../scripts/{name} or POST .../versions): stream the modules to S3, check the
// metadata, write metadata.json, then the Kubernetes objects, the WorkerVersion last. Any failure deletes
// what this request wrote, so no version ever points at missing objects.
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { WorkerAccount, WorkerScript, WorkerVersion, WorkerVersionSpec, WorkerDeployment } from "@fireworkers/crd-types";
import { metadataKey, versionPrefix } from "@fireworkers/storage";
import { resolveBindings } from "../domain/bindings.ts";
import { parseUploadMetadata } from "../domain/metadata.ts";
import type { TokenRecord } from "../domain/tokens.ts";
import { InheritUnresolved, Invalid, NotFound } from "../domain/errors.ts";
import { assertQuota, quotasOf } from "../domain/quotas.ts";
import type { Context } from "../context.ts";
import { brief } from "../log.ts";
import { secretNames } from "../store/secrets.ts";
import { streamModules, type WrittenKeys } from "../upload/stream-modules.ts";
import { pruneVersions, recordDeployment } from "./deploy.ts";
import { assertKvBindings } from "./kv-bindings.ts";
import { assertRenderable } from "./renderable.ts";

export interface UploadRequest {
  account: WorkerAccount;
  scriptName: string;
  /** "script": PUT, deploys at 100% (first deploy, draft Worker, wrangler 3). "version": POST versions, upload only. */
  mode: "script" | "version";
  strictInherit: boolean;
  token: TokenRecord;
  /** The multipart body (a `metadata` part and the modules), read as it arrives. */
  body: IncomingMessage;
}

export interface UploadResult {
  script: WorkerScript;
  version: WorkerVersion;
  deployment?: WorkerDeployment;
}

export async function uploadVersion(ctx: Context, r: UploadRequest): Promise<UploadResult> {
  const { stores, config } = ctx;
  const accountId = r.account.metadata.name;
  // A version upload needs its script before anything is written; a PUT creates it if need be, so its
  // lookup runs while the body streams.
  const lookup = stores.scripts.get(accountId, r.scriptName);
  lookup.catch(() => undefined); // awaited below; a streaming failure must not leave it unhandled
  let existing = r.mode === "version" ? await lookup : undefined;
  if (r.mode === "version" && !existing) throw new NotFound("worker", r.scriptName);

  const quotas = quotasOf(r.account, config);
  const versionId = randomUUID();
  const prefix = versionPrefix(accountId, r.scriptName, versionId);
  const written: WrittenKeys = [];
  let createdScript: WorkerScript | undefined;
  const started = process.hrtime.bigint();
  // What inherit / keep_bindings need (latest version, secret names) does not depend on the body: read it
  // while the body streams.
  const readContext = async (script: WorkerScript | undefined) =>
    script ? Promise.all([stores.versions.list(script), stores.secrets.read(script).then(secretNames)]) : ([[], []] as [WorkerVersion[], string[]]);
  const early = lookup.then(readContext);
  early.catch(() => undefined);
  try {
    const limits = { ...config.limits, maxScriptBytes: quotas.scriptSizeMiB * (1 << 20) };
    const streamed = await streamModules(r.body, { client: stores.s3.client, bucket: stores.s3.bucket, prefix, limits }, written);
    if (streamed.metadataText === undefined) throw new Invalid("the upload has no 'metadata' part");
    let meta;
    try {
      meta = parseUploadMetadata(streamed.metadataText);
    } catch (err) {
      throw new Invalid((err as Error).message);
    }
    const mainName = meta.main_module.startsWith("./") ? meta.main_module.slice(2) : meta.main_module;
    const main = streamed.modules.find((m) => m.name === mainName);
    if (!main) throw new Invalid(`'${meta.main_module}' is not among the uploaded modules`, "metadata.main_module");
    if (main.type !== "esm") throw new Invalid(`'${meta.main_module}' must be an ES module (application/javascript+module)`, "metadata.main_module");

    const resolve = ([versions, secrets]: [WorkerVersion[], string[]]) => {
      let resolution;
      try {
        resolution = resolveBindings(meta.bindings, {
          strictInherit: r.strictInherit,
          keepBindings: meta.keep_bindings,
          previous: versions[0]?.spec.bindings ?? [],
          secretNames: secrets,
        });
      } catch (err) {
        throw new Invalid((err as Error).message);
      }
      if (resolution.unresolved.length) throw new InheritUnresolved(resolution.unresolved);
      assertQuota(quotas, "secretsPerScript", resolution.bindings.filter((b) => b.type === "secret_text").length);
      // Secrets are per script here (one Secret the running pods read): values sent with an upload that
      // deploys nothing would change what serves now. They come with a deploy or `wrangler secret put`.
      if (r.mode === "version" && Object.keys(resolution.secretValues).length) {
        throw new Invalid(
          `secret values (${Object.keys(resolution.secretValues).join(", ")}) cannot come with a version upload; set them with 'wrangler secret put' or a deploy`,
          "metadata.bindings",
        );
      }
      // Before anything is written: what no build could render is refused now, not at build time.
      assertRenderable(r.scriptName, {
        versionId,
        mainModule: main.name,
        modules: streamed.modules,
        bindings: resolution.bindings,
        compatibilityDate: meta.compatibility_date,
        compatibilityFlags: meta.compatibility_flags,
      });
      return resolution;
    };
    // A PUT deploys the version too: its deployment number is taken in the same write as the version's.
    const counters = r.mode === "script" ? (["versions", "deployments"] as const) : (["versions"] as const);
    existing ??= await lookup;
    let resolution = resolve(await early);
    await assertKvBindings(stores, accountId, resolution.bindings);
    let script: WorkerScript;
    let numbers: { versions?: number; deployments?: number };
    if (existing) {
      ({ numbers, script } = await stores.counters.nextAll(existing, [...counters]));
    } else {
      // A first upload: one more Worker in the account. Checked before the first Kubernetes write (what
      // was streamed to S3 is deleted below); two first uploads racing on two replicas may both pass.
      assertQuota(quotas, "scripts", (await stores.scripts.list([accountId])).length + 1);
      // The script is created with its counters already taken (one write)...
      const ensured = await stores.scripts.ensure(r.account, r.scriptName, Object.fromEntries(counters.map((c) => [c, 1])));
      if (ensured.created) {
        createdScript = script = ensured.script;
        numbers = { versions: 1, deployments: 1 };
      } else {
        // ...unless a concurrent upload created it meanwhile: then it is an upload to an existing script.
        resolution = resolve(await readContext(ensured.script));
        await assertKvBindings(stores, accountId, resolution.bindings);
        ({ numbers, script } = await stores.counters.nextAll(ensured.script, [...counters]));
      }
    }
    const number = numbers.versions!;
    // Secrets sent with the upload (deploy --secrets-file) are stored first, so that the version, created
    // after them, does not count them as "changed since" (10220).
    if (Object.keys(resolution.secretValues).length) await stores.secrets.apply(script, resolution.secretValues, []);
    const createdOn = new Date().toISOString();
    const annotations: Record<string, string> = {
      ...meta.annotations,
      "workers/triggered_by": r.mode === "script" ? "upload" : "version_upload",
    };
    const spec: WorkerVersionSpec = {
      accountId,
      scriptName: r.scriptName,
      versionId,
      number,
      storage: { bucket: stores.s3.bucket, prefix },
      mainModule: main.name,
      modules: streamed.modules,
      bindings: resolution.bindings,
      ...(meta.compatibility_date ? { compatibilityDate: meta.compatibility_date } : {}),
      compatibilityFlags: meta.compatibility_flags ?? [],
      annotations,
      source: "wrangler",
      authorEmail: r.token.email,
    };
    written.push(metadataKey(prefix));
    await stores.s3.putMetadata(prefix, { ...spec, createdOn });
    const version = await stores.versions.create(script, spec, createdOn);
    ctx.metrics.versions.inc({ mode: r.mode });
    ctx.metrics.uploadBytes.inc(streamed.modules.reduce((s, m) => s + m.size, 0));
    ctx.metrics.uploadSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);

    let deployment: WorkerDeployment | undefined;
    if (r.mode === "script") {
      try {
        deployment = await recordDeployment(ctx, script, [{ versionId, percentage: 100 }], { triggeredBy: "upload", token: r.token }, numbers.deployments);
      } catch (err) {
        await stores.versions.discard(versionId).catch((e) => ctx.log.error({ err: brief(e), versionId }, "could not discard version"));
        throw err;
      }
    }
    await pruneVersions(ctx, script, number);
    return { script, version, deployment };
  } catch (err) {
    if (written.length) {
      await stores.s3.deleteKeys(written).catch((e) => ctx.log.error({ err: brief(e), prefix }, "could not delete the objects of a failed upload"));
    }
    // The script this request created goes too, unless a concurrent upload (another replica) has put a
    // version in it meanwhile: that request's work must survive this one's failure.
    if (createdScript && (await stores.versions.list(createdScript).catch(() => [undefined])).length === 0) {
      await stores.scripts.delete(createdScript).catch((e) => ctx.log.error({ err: brief(e) }, "could not delete the script of a failed first upload"));
    }
    throw err;
  }
}
