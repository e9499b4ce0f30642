// The platform's own small workers (router, split, KV binding, placeholders): the same bytes in every bundle.
import { readFileSync } from "node:fs";

export const RUNTIME_DIR = "fireworkers";
const NAMES = ["kv-binding.mjs", "router.mjs", "routing.mjs", "split.mjs", "unavailable.mjs"] as const;

let cache: Map<string, Buffer> | undefined;

/** Path in the layer → content. */
export function runtimeFiles(): Map<string, Buffer> {
  cache ??= new Map(NAMES.map((n) => [`${RUNTIME_DIR}/${n}`, readFileSync(new URL(`./runtime/${n}`, import.meta.url))]));
  return cache;
}
