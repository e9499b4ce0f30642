// One Cloudflare binding (as wrangler uploads it, secret values stripped) → one workerd binding.
import type { Binding } from "@fireworkers/crd-types";
import { capnpString } from "./capnp-text.ts";
import { checkBindingName, checkModuleName, secretEnvVar } from "./validate.ts";

export const KV_PLACEHOLDER = "fireworkers:kv-placeholder";
export const UNBOUND_SERVICE = "fireworkers:unbound-service";

export interface BindingContext {
  script: string;
  /** Scripts of this bundle: a service binding targets the script's own (split-aware) service. */
  scripts: ReadonlySet<string>;
  /** Path in the layer of a module of this version, by module name; undefined when not uploaded. */
  modulePath(name: string): string | undefined;
  warn(message: string): void;
  /** Marks a placeholder service as needed. */
  use(service: typeof KV_PLACEHOLDER | typeof UNBOUND_SERVICE): void;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function stringSetting(binding: Binding, key: string): string {
  const value = binding[key];
  if (typeof value !== "string") throw new Error(`binding ${binding.name} (${binding.type}) needs a string "${key}"`);
  return value;
}

function embedPart(binding: Binding, ctx: BindingContext): string {
  const part = checkModuleName(stringSetting(binding, "part"));
  const path = ctx.modulePath(part);
  if (!path) throw new Error(`binding ${binding.name} (${binding.type}) refers to part ${JSON.stringify(part)}, which is not among the version's modules`);
  return `embed ${capnpString(path)}`;
}

/** The capnp text of one binding: `(name = "...", <kind> = ...)`. */
export function renderBinding(binding: Binding, ctx: BindingContext): string {
  const name = checkBindingName(binding.name);
  const value = ((): string => {
    switch (binding.type) {
      case "plain_text":
        return `text = ${capnpString(stringSetting(binding, "text"))}`;
      case "json":
        if (!("json" in binding)) throw new Error(`binding ${name} (json) has no "json" value`);
        return `json = ${capnpString(JSON.stringify(binding.json))}`;
      case "secret_text":
        // The value never reaches the image: the pod's environment carries it (DESIGN decision 7).
        return `fromEnvironment = ${capnpString(secretEnvVar(ctx.script, name))}`;
      case "wasm_module":
        return `wasmModule = ${embedPart(binding, ctx)}`;
      case "text_blob":
        return `text = ${embedPart(binding, ctx)}`;
      case "data_blob":
        return `data = ${embedPart(binding, ctx)}`;
      case "service": {
        const target = stringSetting(binding, "service");
        let service: string = target;
        if (!ctx.scripts.has(target)) {
          ctx.warn(`service binding ${ctx.script}.${name} targets "${target}", which is not deployed in this bundle: it answers 503`);
          ctx.use(UNBOUND_SERVICE);
          service = UNBOUND_SERVICE;
        }
        const entrypoint = binding.entrypoint;
        if (entrypoint === undefined || entrypoint === null || service === UNBOUND_SERVICE) return `service = ${capnpString(service)}`;
        if (typeof entrypoint !== "string" || !IDENTIFIER.test(entrypoint)) throw new Error(`binding ${name}: invalid entrypoint ${JSON.stringify(entrypoint)}`);
        return `service = (name = ${capnpString(service)}, entrypoint = ${capnpString(entrypoint)})`;
      }
      case "kv_namespace":
        ctx.warn(`KV binding ${ctx.script}.${name} is not implemented yet: reads find nothing, writes fail with 501`);
        ctx.use(KV_PLACEHOLDER);
        return `kvNamespace = ${capnpString(KV_PLACEHOLDER)}`;
      case "inherit":
        throw new Error(`binding ${name} is "inherit": the API must resolve it to the previous version's binding before a build`);
      default:
        throw new Error(`binding ${name} has unsupported type ${JSON.stringify((binding as { type: unknown }).type)}`);
    }
  })();
  return `(name = ${capnpString(name)}, ${value})`;
}
