// How an upload's bindings become a version's bindings (pure). Rules, following Cloudflare's versions API
// as wrangler drives it (wrangler-api.md §2.5, §4.2, §9.6):
//   * `secret_text` with `text` (deploy --secrets-file): the value goes to the script's Secret, the version
//     keeps only {name, type}.
//   * `inherit` (and a bare `secret_text` without text): take the binding of that name from the latest
//     version, or the script's existing secret of that name. Unresolvable: with bindings_inherit=strict a
//     10057 error per name, otherwise the binding is dropped.
//   * `keep_bindings` types: bindings of those types in the latest version that the upload does not name are
//     carried forward (`--keep-vars` sends plain_text and json).
//   * Secrets are script-scoped here (one Kubernetes Secret per script), so every existing secret stays
//     bound in every new version unless the upload binds that name to something else. This is also how
//     wrangler 3, which sends no keep_bindings on deploy, keeps its secrets.
import { SECRET_NAME, type Binding, type BindingType } from "@fireworkers/crd-types";
import type { RawBinding } from "./metadata.ts";

export interface BindingResolution {
  bindings: Binding[];
  /** Secret values the upload carries (name -> value): written to the script's Secret, never to a CR or S3. */
  secretValues: Record<string, string>;
  /** Names of `inherit` bindings that could not be resolved under strict inheritance. */
  unresolved: string[];
}

export interface BindingContext {
  strictInherit: boolean;
  keepBindings: string[];
  /** Bindings of the script's latest version (none for a new script). */
  previous: Binding[];
  /** Names of the secrets the script has now. */
  secretNames: string[];
}

const secretBinding = (name: string): Binding => ({ name, type: "secret_text" });

/** A binding as stored: secret values stripped, everything else kept as sent. */
export function storedBinding(raw: RawBinding): Binding {
  if (raw.type === "secret_text") return secretBinding(raw.name);
  return { ...raw, type: raw.type as BindingType };
}

export function resolveBindings(uploaded: RawBinding[], ctx: BindingContext): BindingResolution {
  const previousByName = new Map(ctx.previous.map((b) => [b.name, b]));
  const secrets = new Set(ctx.secretNames);
  const bindings: Binding[] = [];
  const secretValues: Record<string, string> = {};
  const unresolved: string[] = [];

  for (const raw of uploaded) {
    if (raw.type === "secret_text" && typeof raw.text === "string") {
      if (!SECRET_NAME.test(raw.name)) throw new Error(`metadata.bindings: secret name '${raw.name}' must match ${SECRET_NAME}`);
      secretValues[raw.name] = raw.text;
      bindings.push(secretBinding(raw.name));
      continue;
    }
    if (raw.type === "inherit" || raw.type === "secret_text") {
      const inherited = previousByName.get(raw.name);
      if (inherited && inherited.type !== "secret_text") bindings.push(inherited);
      else if (secrets.has(raw.name)) bindings.push(secretBinding(raw.name));
      else if (ctx.strictInherit) unresolved.push(raw.name);
      continue;
    }
    bindings.push(storedBinding(raw));
  }

  const named = new Set(bindings.map((b) => b.name).concat(unresolved));
  const keep = new Set(ctx.keepBindings);
  for (const b of ctx.previous) {
    if (b.type !== "secret_text" && keep.has(b.type) && !named.has(b.name)) {
      bindings.push(b);
      named.add(b.name);
    }
  }
  for (const name of [...secrets].sort()) {
    if (!named.has(name)) bindings.push(secretBinding(name));
  }
  return { bindings, secretValues, unresolved };
}

/** The version bindings after a secret change: every non-secret binding kept, secrets = the new set. */
export function withSecrets(bindings: Binding[], secretNames: string[]): Binding[] {
  const nonSecret = bindings.filter((b) => b.type !== "secret_text");
  const taken = new Set(nonSecret.map((b) => b.name));
  return [...nonSecret, ...[...secretNames].filter((n) => !taken.has(n)).sort().map(secretBinding)];
}

export const secretNamesOf = (bindings: Binding[] | undefined) => (bindings ?? []).filter((b) => b.type === "secret_text").map((b) => b.name);

/**
 * `PATCH .../settings` with `bindings` (wrangler 3 / 4.86 `secret bulk`): the list replaces the version's
 * bindings. An entry with only {type, name} keeps the latest version's binding (or existing secret) of that
 * name; `secret_text` with `text` sets a secret; secrets not listed are deleted.
 */
export function settingsBindings(
  listed: RawBinding[],
  previous: Binding[],
  secretNames: string[],
): { bindings: Binding[]; upserts: Record<string, string>; deletes: string[]; unknown: string[] } {
  const previousByName = new Map(previous.map((b) => [b.name, b]));
  const bindings: Binding[] = [];
  const upserts: Record<string, string> = {};
  const unknown: string[] = [];
  const keptSecrets = new Set<string>();
  for (const raw of listed) {
    const bare = Object.keys(raw).every((k) => k === "name" || k === "type");
    if (raw.type === "secret_text") {
      if (typeof raw.text === "string") {
        if (!SECRET_NAME.test(raw.name)) throw new Error(`settings.bindings: secret name '${raw.name}' must match ${SECRET_NAME}`);
        upserts[raw.name] = raw.text;
      } else if (!secretNames.includes(raw.name)) {
        unknown.push(raw.name);
        continue;
      }
      keptSecrets.add(raw.name);
      bindings.push(secretBinding(raw.name));
    } else if (bare || raw.type === "inherit") {
      const prev = previousByName.get(raw.name);
      if (prev) bindings.push(prev);
      else unknown.push(raw.name);
    } else {
      bindings.push(storedBinding(raw));
    }
  }
  const deletes = secretNames.filter((n) => !keptSecrets.has(n));
  return { bindings, upserts, deletes, unknown };
}
