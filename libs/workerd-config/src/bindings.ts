// One Cloudflare binding (as wrangler uploads it, secret values stripped) → one workerd binding, in two steps:
// `checkBinding` refuses what cannot be rendered and returns a typed binding; `workerdBinding` maps it onto the
// model (total: it cannot fail). A new Cloudflare binding type is one member of `CheckedBinding` and one case in each.
import type { Binding } from "@fireworkers/crd-types";
import type * as model from "./model.ts";
import { checkBindingName, checkModuleName, secretEnvVar } from "./validate.ts";

export const UNBOUND_SERVICE = "fireworkers:unbound-service";
/** The platform worker every KV binding points at (runtime/kv-binding.mjs), with its namespace id in props. */
export const KV_SERVICE = "fireworkers:kv";
/** Services a bundle gets only when one of its bindings needs them. */
export type Placeholder = typeof UNBOUND_SERVICE | typeof KV_SERVICE;

const KV_NAMESPACE_ID = /^[0-9a-f]{32}$/;

export type CheckedBinding = { name: string } & (
  | { type: "plain_text"; text: string }
  /** The value as JSON text. */
  | { type: "json"; json: string }
  | { type: "secret_text"; envVar: string }
  /** `part`: the name of one of the version's modules. */
  | { type: "text_blob" | "data_blob"; part: string }
  /** `bound`: the target script is deployed in this bundle. */
  | { type: "service"; service: string; entrypoint?: string; bound: boolean }
  | { type: "kv_namespace"; namespaceId: string }
);

export interface CheckContext {
  script: string;
  /** Scripts of this bundle: a service binding targets the script's own (split-aware) service. */
  scripts: ReadonlySet<string>;
  /** Modules of this version that reach the layer (source maps do not). */
  modules: ReadonlySet<string>;
  warn(message: string): void;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function stringSetting(binding: Binding, key: string): string {
  const value = binding[key];
  if (typeof value !== "string") throw new Error(`binding ${binding.name} (${binding.type}) needs a string "${key}"`);
  return value;
}

function part(binding: Binding, ctx: CheckContext): string {
  const name = checkModuleName(stringSetting(binding, "part"));
  if (!ctx.modules.has(name)) throw new Error(`binding ${binding.name} (${binding.type}) refers to part ${JSON.stringify(name)}, which is not among the version's modules`);
  return name;
}

/** Refuses a binding no build could render; warns about the ones that are stubbed. */
export function checkBinding(binding: Binding, ctx: CheckContext): CheckedBinding {
  const name = checkBindingName(binding.name);
  switch (binding.type) {
    case "plain_text":
      return { name, type: "plain_text", text: stringSetting(binding, "text") };
    case "json":
      if (!("json" in binding)) throw new Error(`binding ${name} (json) has no "json" value`);
      return { name, type: "json", json: JSON.stringify(binding.json) };
    case "secret_text":
      return { name, type: "secret_text", envVar: secretEnvVar(ctx.script, name) };
    case "wasm_module": {
      const module = part(binding, ctx);
      // workerd refuses the whole config otherwise ("Wasm bindings are not allowed in modules-based scripts").
      throw new Error(`binding ${name} (wasm_module): workerd allows Wasm bindings only in service-worker scripts; import ${JSON.stringify(module)} instead`);
    }
    case "text_blob":
    case "data_blob":
      return { name, type: binding.type, part: part(binding, ctx) };
    case "service": {
      const service = stringSetting(binding, "service");
      const entrypoint = binding.entrypoint ?? undefined;
      // Checked even when the target is absent: it may be deployed by the next build.
      if (entrypoint !== undefined && (typeof entrypoint !== "string" || !IDENTIFIER.test(entrypoint))) {
        throw new Error(`binding ${name}: invalid entrypoint ${JSON.stringify(entrypoint)}`);
      }
      const bound = ctx.scripts.has(service);
      if (!bound) ctx.warn(`service binding ${ctx.script}.${name} targets "${service}", which is not deployed in this bundle: it answers 503`);
      return { name, type: "service", service, bound, ...(entrypoint === undefined ? {} : { entrypoint }) };
    }
    case "kv_namespace": {
      // The API checks at upload that the namespace is the account's; here only its shape, as it becomes config.
      const namespaceId = stringSetting(binding, "namespace_id");
      if (!KV_NAMESPACE_ID.test(namespaceId)) throw new Error(`binding ${name}: KV namespace id ${JSON.stringify(namespaceId)} is not 32 hex digits`);
      return { name, type: "kv_namespace", namespaceId };
    }
    case "inherit":
      throw new Error(`binding ${name} is "inherit": the API must resolve it to the previous version's binding before a build`);
    default:
      throw new Error(`binding ${name} has unsupported type ${JSON.stringify((binding as { type: unknown }).type)}`);
  }
}

export interface BuildContext {
  /** Path in the layer of a module of this version. */
  modulePath(name: string): string;
  /** Marks a placeholder service as needed. */
  use(service: Placeholder): void;
}

/** The workerd binding of a checked binding. */
export function workerdBinding(b: CheckedBinding, ctx: BuildContext): model.Binding {
  const { name } = b;
  switch (b.type) {
    case "plain_text":
      return { name, kind: "text", value: b.text };
    case "json":
      return { name, kind: "json", value: b.json };
    case "secret_text":
      // The value never reaches the image: the pod's environment carries it (DESIGN decision 7).
      return { name, kind: "fromEnvironment", value: b.envVar };
    case "text_blob":
      return { name, kind: "text", value: { embed: ctx.modulePath(b.part) } };
    case "data_blob":
      return { name, kind: "data", value: { embed: ctx.modulePath(b.part) } };
    case "service":
      if (!b.bound) {
        ctx.use(UNBOUND_SERVICE);
        return { name, kind: "service", value: { name: UNBOUND_SERVICE } };
      }
      return { name, kind: "service", value: { name: b.service, ...(b.entrypoint === undefined ? {} : { entrypoint: b.entrypoint }) } };
    case "kv_namespace":
      // workerd's native binding; the platform worker adds the credential and forwards to the gateway.
      ctx.use(KV_SERVICE);
      return { name, kind: "kvNamespace", value: { name: KV_SERVICE, props: { json: JSON.stringify({ namespace: b.namespaceId }) } } };
  }
}
