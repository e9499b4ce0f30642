// PATCH .../settings: non-versioned settings, and with `bindings` (wrangler 3's `secret bulk`) a secret
// change that makes and deploys a new version (see change-secrets.ts).
import type { WorkerScript } from "@fireworkers/crd-types";
import { settingsBindings } from "../domain/bindings.ts";
import { InheritUnresolved, Invalid } from "../domain/errors.ts";
import type { RawBinding } from "../domain/metadata.ts";
import { applySettings, type ScriptSettings } from "../domain/settings.ts";
import type { TokenRecord } from "../domain/tokens.ts";
import type { Context } from "../context.ts";
import { changeSecrets } from "./change-secrets.ts";
import { assertRenderable } from "./renderable.ts";

export interface SettingsChange {
  accountId: string;
  scriptName: string;
  /** The `settings` part as sent (JSON text). */
  settingsJson: string | undefined;
  token: TokenRecord;
}

export async function changeSettings(ctx: Context, r: SettingsChange): Promise<WorkerScript> {
  const { stores } = ctx;
  let settings: ScriptSettings & { bindings?: RawBinding[] };
  try {
    settings = JSON.parse(r.settingsJson ?? "");
  } catch {
    throw new Invalid("the 'settings' part must be JSON", "settings");
  }
  if (typeof settings !== "object" || settings === null) throw new Invalid("must be an object", "settings");
  if (settings.bindings !== undefined && !Array.isArray(settings.bindings)) throw new Invalid("must be an array", "settings.bindings");
  const script = await stores.scripts.require(r.accountId, r.scriptName);
  if (settings.bindings) {
    const [latest] = await stores.versions.list(script);
    const secrets = await stores.secrets.read(script);
    let plan;
    try {
      plan = settingsBindings(settings.bindings, latest?.spec.bindings ?? [], Object.keys(secrets.updated));
    } catch (err) {
      throw new Invalid((err as Error).message);
    }
    if (plan.unknown.length) throw new InheritUnresolved(plan.unknown);
    // Before any secret is written: the new version must be buildable.
    if (latest) assertRenderable(script.spec.scriptName, { ...latest.spec, bindings: plan.bindings });
    const bindings = plan.bindings;
    await changeSecrets(ctx, { accountId: r.accountId, scriptName: r.scriptName, upserts: plan.upserts, deletes: plan.deletes, bindings: () => bindings, token: r.token });
  }
  return stores.scripts.update(script, (spec) => applySettings(spec, settings));
}
