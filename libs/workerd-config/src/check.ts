// Validation of a bundle description, before anything is built: throws on what no build could render,
// and returns the bundle normalized (sorted, defaults applied, bindings typed) with the warnings.
import { checkBinding, type CheckedBinding } from "./bindings.ts";
import type { BundleScript, BundleVersion } from "./bundle.ts";
import { clampCompatDate } from "./compat-date.ts";
import type { ModuleKind } from "./model.ts";
import { checkFlag, checkModuleName, checkScriptName, checkVersionId } from "./validate.ts";

export interface CheckedScript {
  name: string;
  port: number;
  /** One, or two for a split; sorted by version id (stable split assignment). */
  versions: CheckedVersion[];
}

export interface CheckedVersion {
  versionId: string;
  percentage: number;
  /** The main module first, then the others by name; no source maps. */
  modules: { name: string; kind: Extract<ModuleKind, "esModule" | "commonJsModule" | "wasm" | "text" | "data"> }[];
  /** Clamped or defaulted. */
  compatibilityDate: string;
  /** Without duplicates. */
  compatibilityFlags: string[];
  bindings: CheckedBinding[];
}

export interface CheckedBundle {
  /** Sorted by name, so the same set in another order renders the same bytes. */
  scripts: CheckedScript[];
  warnings: string[];
}

const MODULE_KIND = { esm: "esModule", commonjs: "commonJsModule", wasm: "wasm", text: "text", data: "data" } as const;
const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function checkBundle(scripts: BundleScript[], ports: { base: number; router: number; maxCompatibilityDate: string }): CheckedBundle {
  const warnings: string[] = [];
  const sorted = [...scripts].sort((a, b) => byString(a.name, b.name));
  const names = new Set<string>();
  const used = new Map<number, string>([[ports.router, "the router"]]);
  for (const script of sorted) {
    checkScriptName(script.name);
    if (names.has(script.name)) throw new Error(`script ${script.name} appears twice`);
    names.add(script.name);
    if (!Number.isInteger(script.workerNumber) || script.workerNumber < 0) throw new Error(`script ${script.name}: invalid workerNumber ${script.workerNumber}`);
    const port = ports.base + script.workerNumber;
    if (port > 65535) throw new Error(`script ${script.name}: port ${port} is out of range`);
    const other = used.get(port);
    if (other) throw new Error(`script ${script.name}: port ${port} is already used by ${other}`);
    used.set(port, `script ${script.name}`);
  }
  return {
    scripts: sorted.map((script) => ({
      name: script.name,
      port: ports.base + script.workerNumber,
      versions: checkSplit(script).map((v) => checkVersion(script.name, v, names, ports.maxCompatibilityDate, warnings)),
    })),
    warnings,
  };
}

/** The script's versions, sorted by id, with the percentages checked. */
function checkSplit(script: BundleScript): BundleVersion[] {
  const versions = [...script.versions].sort((a, b) => byString(a.versionId, b.versionId));
  if (versions.length < 1 || versions.length > 2) throw new Error(`script ${script.name}: a deployment has 1 or 2 versions, not ${versions.length}`);
  for (const v of versions) checkVersionId(v.versionId);
  if (versions.length === 2) {
    const [a, b] = versions as [BundleVersion, BundleVersion];
    if (a.versionId === b.versionId) throw new Error(`script ${script.name}: version ${a.versionId} appears twice`);
    const bad = (p: number) => typeof p !== "number" || !(p >= 0 && p <= 100);
    if (bad(a.percentage) || bad(b.percentage) || Math.abs(a.percentage + b.percentage - 100) > 1e-9) {
      throw new Error(`script ${script.name}: percentages ${a.percentage} + ${b.percentage} must be within 0..100 and sum to 100`);
    }
  }
  return versions;
}

function checkVersion(script: string, version: BundleVersion, scripts: ReadonlySet<string>, maxDate: string, warnings: string[]): CheckedVersion {
  const where = `${script} version ${version.versionId}`;
  const main = version.modules.find((m) => m.name === version.mainModule);
  if (!main) throw new Error(`${where}: main module ${JSON.stringify(version.mainModule)} is not among its modules`);
  if (main.type !== "esm" && main.type !== "commonjs") throw new Error(`${where}: main module ${main.name} is ${main.type}, not JavaScript`);
  // workerd runs the first module: the main one, then the others by name.
  const ordered = [main, ...version.modules.filter((m) => m !== main).sort((a, b) => byString(a.name, b.name))];
  const names = new Set(version.modules.map((m) => m.name));
  const seen = new Set<string>();
  const modules: CheckedVersion["modules"] = [];
  for (const module of ordered) {
    checkModuleName(module.name);
    if (seen.has(module.name)) throw new Error(`${where}: module ${module.name} appears twice`);
    seen.add(module.name);
    // The layer holds modules as files: "lib" and "lib/x.js" cannot both exist there.
    const parents = module.name.split("/").slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join("/"));
    const clash = parents.find((dir) => names.has(dir));
    if (clash) throw new Error(`${where}: module ${clash} is also the directory of module ${module.name}`);
    if (module.type === "sourcemap") continue; // wrangler uploads them for Cloudflare's stack traces; workerd has no use for them
    const kind = MODULE_KIND[module.type];
    if (!kind) throw new Error(`${where}: module ${module.name} has unsupported type ${JSON.stringify(module.type)}`);
    modules.push({ name: module.name, kind });
  }

  const compat = clampCompatDate(version.compatibilityDate, maxDate);
  if (compat.warning) warnings.push(`${where}: ${compat.warning}`);
  const compatibilityFlags = [...new Set(version.compatibilityFlags ?? [])].map(checkFlag);

  const bindingNames = new Set<string>();
  const ctx = { script, scripts, modules: new Set(modules.map((m) => m.name)), warn: (message: string) => warnings.push(`${where}: ${message}`) };
  const bindings = (version.bindings ?? []).map((binding) => {
    if (bindingNames.has(binding.name)) throw new Error(`${where}: binding ${binding.name} appears twice`);
    bindingNames.add(binding.name);
    return checkBinding(binding, ctx);
  });
  return {
    versionId: version.versionId,
    percentage: version.percentage,
    modules,
    compatibilityDate: compat.date,
    compatibilityFlags,
    bindings,
  };
}
