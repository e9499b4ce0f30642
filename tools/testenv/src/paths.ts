import { homedir } from "node:os";
import { join } from "node:path";

export const REPO_ROOT = join(import.meta.dirname, "../../..");

/** Where built binaries and the Node toolchain are cached between runs (same rule as scripts/*.sh). */
export const CACHE_DIR =
  process.env.FIREWORKERS_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "fireworkers");

export const bin = (name: string) => join(REPO_ROOT, "node_modules/.bin", name);
