import type { ModuleType } from "@fireworkers/crd-types";
import { validateModuleName } from "@fireworkers/storage";

/** The part content types wrangler sends (wrangler-api.md §4), by module type. Service-worker format and
 * Python modules are refused: workerd bundles here are ES-module workers. */
const BY_CONTENT_TYPE: Record<string, ModuleType> = {
  "application/javascript+module": "esm",
  "text/javascript+module": "esm",
  "application/javascript": "commonjs",
  "text/javascript": "commonjs",
  "application/wasm": "wasm",
  "text/plain": "text",
  "application/octet-stream": "data",
  "application/source-map": "sourcemap",
};

export function moduleTypeOf(contentType: string | undefined): ModuleType | undefined {
  const base = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  return BY_CONTENT_TYPE[base];
}

/**
 * The module name a part stands for. wrangler names content-hashed modules `./<sha1>-add.wasm` and the
 * bundle imports them relative to the main module at the root, so `./x` and `x` are the same module: the
 * leading `./` is dropped. Then the name is checked (no `..`, no absolute path, charset, length) before it
 * can become an S3 key. Throws with the reason.
 */
export function moduleName(partName: string): string {
  const name = partName.startsWith("./") ? partName.slice(2) : partName;
  return validateModuleName(name);
}
