// Bundle description → config.capnp (pure; the only I/O is reading the runtime workers shipped with this lib).
//
// Services:  one per script version; a script with two versions also gets a split service named after the
//            script, and a script with one version is served by a service named after the script. So
//            "<script>" is always the script's entry, and service bindings and sockets target it.
// Sockets:   "http-<script>" on basePort + workerNumber (8080 + n), and "http-router" on routerPort (8000),
//            which dispatches by Host and by path prefix (runtime/routing.mjs).
import type { Binding } from "@fireworkers/crd-types";
import { KV_PLACEHOLDER, renderBinding, UNBOUND_SERVICE } from "./bindings.ts";
import type { BundleScript, BundleVersion, LayerFile, RenderedConfig, RenderOptions } from "./bundle.ts";
import { capnpString as s } from "./capnp-text.ts";
import { clampCompatDate, WORKERD_MAX_COMPAT_DATE } from "./compat-date.ts";
import { RUNTIME_DIR, runtimeFiles } from "./runtime-files.ts";
import { checkFlag, checkModuleName, checkScriptName, checkVersionId } from "./validate.ts";

export const DEFAULT_BASE_PORT = 8080;
export const DEFAULT_ROUTER_PORT = 8000;
export const ROUTER_SERVICE = "fireworkers:router";
/** Env var of the pods with the host suffix the router expects after `<script>.` (e.g. acme.workers.example.com). */
export const HOST_SUFFIX_ENV = "FIREWORKERS_HOST_SUFFIX";
/** The platform's own workers are pinned to one date, so their behaviour does not drift with the runtime. */
const RUNTIME_COMPAT_DATE = "2025-01-01";

const MODULE_KIND = { esm: "esModule", commonjs: "commonJsModule", wasm: "wasm", text: "text", data: "data" } as const;

export const socketName = (script: string) => `http-${script}`;
export const ROUTER_SOCKET = "http-router";
export const modulePath = (script: string, versionId: string, moduleName: string) => `scripts/${script}/${versionId}/${moduleName}`;

interface Worker {
  comment: string;
  modules: string[];
  compatibilityDate: string;
  compatibilityFlags: string[];
  bindings: string[];
}

export function renderConfig(scripts: BundleScript[], options: RenderOptions = {}): RenderedConfig {
  const maxDate = options.maxCompatibilityDate ?? WORKERD_MAX_COMPAT_DATE;
  const basePort = options.basePort ?? DEFAULT_BASE_PORT;
  const routerPort = options.routerPort ?? DEFAULT_ROUTER_PORT;
  const warnings: string[] = [];
  const files: LayerFile[] = [];
  const services: string[] = [];
  const workers: Worker[] = [];
  const used = new Set<string>();

  // Sorted, so the same set in another order renders the same bytes.
  const sorted = [...scripts].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const names = new Set<string>();
  const ports = new Map<number, string>([[routerPort, "the router"]]);
  for (const script of sorted) {
    checkScriptName(script.name);
    if (names.has(script.name)) throw new Error(`script ${script.name} appears twice`);
    names.add(script.name);
    if (!Number.isInteger(script.workerNumber) || script.workerNumber < 0) throw new Error(`script ${script.name}: invalid workerNumber ${script.workerNumber}`);
    const port = basePort + script.workerNumber;
    if (port > 65535) throw new Error(`script ${script.name}: port ${port} is out of range`);
    const other = ports.get(port);
    if (other) throw new Error(`script ${script.name}: port ${port} is already used by ${other}`);
    ports.set(port, `script ${script.name}`);
  }

  const addWorker = (serviceName: string, worker: Worker) => {
    const ref = `worker${workers.length}`;
    workers.push(worker);
    services.push(`(name = ${s(serviceName)}, worker = .${ref})`);
  };

  for (const script of sorted) {
    const versions = checkSplit(script);
    const versionServices: string[] = [];
    for (const version of versions) {
      const serviceName = versions.length === 1 ? script.name : `${script.name}@${version.versionId}`;
      versionServices.push(serviceName);
      addWorker(serviceName, renderVersion(script.name, version, names, maxDate, files, warnings, used));
    }
    if (versions.length === 2) {
      addWorker(script.name, {
        comment: `${script.name}: split ${versions.map((v) => `${v.versionId} ${v.percentage}%`).join(", ")}`,
        modules: runtimeModules("split.mjs"),
        compatibilityDate: RUNTIME_COMPAT_DATE,
        compatibilityFlags: [],
        bindings: [
          `(name = "VERSIONS", json = ${s(JSON.stringify(versions.map((v) => ({ id: v.versionId, percentage: v.percentage }))))})`,
          ...versionServices.map((svc, i) => `(name = "V${i}", service = ${s(svc)})`),
        ],
      });
    }
  }

  const routes = Object.fromEntries(sorted.map((script, i) => [script.name, `S${i}`]));
  addWorker(ROUTER_SERVICE, {
    comment: `the router: Host <script>.$${HOST_SUFFIX_ENV}, or path /<script>/...`,
    modules: runtimeModules("router.mjs"),
    compatibilityDate: RUNTIME_COMPAT_DATE,
    compatibilityFlags: [],
    bindings: [
      `(name = "ROUTES", json = ${s(JSON.stringify({ scripts: routes }))})`,
      `(name = "HOST_SUFFIX", fromEnvironment = ${s(HOST_SUFFIX_ENV)})`,
      ...sorted.map((script, i) => `(name = "S${i}", service = ${s(script.name)})`),
    ],
  });
  const placeholders: [string, string, string][] = [
    [KV_PLACEHOLDER, "kv", "KV namespaces are not implemented yet"],
    [UNBOUND_SERVICE, "service", "the service this binding targets is not deployed"],
  ];
  for (const [service, kind, message] of placeholders) {
    if (!used.has(service)) continue;
    addWorker(service, {
      comment: `placeholder: ${message}`,
      modules: runtimeModules("unavailable.mjs", false),
      compatibilityDate: RUNTIME_COMPAT_DATE,
      compatibilityFlags: [],
      bindings: [`(name = "KIND", text = ${s(kind)})`, `(name = "MESSAGE", text = ${s(message)})`],
    });
  }

  const sockets = [
    { name: ROUTER_SOCKET, port: routerPort, script: null as string | null, service: ROUTER_SERVICE },
    ...sorted.map((script) => ({ name: socketName(script.name), port: basePort + script.workerNumber, script: script.name, service: script.name })),
  ];
  for (const [path, content] of runtimeFiles()) files.push({ path, kind: "static", content });
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

  const config = [
    "# Generated by fireworkers (libs/workerd-config): one bundle of workers. Do not edit.",
    'using Workerd = import "/workerd/workerd.capnp";',
    "",
    "const config :Workerd.Config = (",
    "  services = [",
    ...services.map((svc) => `    ${svc},`),
    "  ],",
    "  sockets = [",
    ...sockets.map((k) => `    (name = ${s(k.name)}, address = ${s(`*:${k.port}`)}, http = (), service = ${s(k.service)}),`),
    "  ],",
    ");",
    ...workers.flatMap((w, i) => ["", ...renderWorker(`worker${i}`, w)]),
    "",
  ].join("\n");

  return { config, files, sockets: sockets.map(({ name, port, script }) => ({ name, port, script })), warnings };
}

/** The script's versions, sorted by id (stable split assignment), with the percentages checked. */
function checkSplit(script: BundleScript): BundleVersion[] {
  const versions = [...script.versions].sort((a, b) => (a.versionId < b.versionId ? -1 : 1));
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

function renderVersion(
  script: string,
  version: BundleVersion,
  scripts: ReadonlySet<string>,
  maxDate: string,
  files: LayerFile[],
  warnings: string[],
  used: Set<string>,
): Worker {
  const where = `${script} version ${version.versionId}`;
  const byName = new Map<string, string>();
  const modules: string[] = [];
  const main = version.modules.find((m) => m.name === version.mainModule);
  if (!main) throw new Error(`${where}: main module ${JSON.stringify(version.mainModule)} is not among its modules`);
  if (main.type !== "esm" && main.type !== "commonjs") throw new Error(`${where}: main module ${main.name} is ${main.type}, not JavaScript`);
  // workerd runs the first module: the main one, then the others by name.
  const ordered = [main, ...version.modules.filter((m) => m !== main).sort((a, b) => (a.name < b.name ? -1 : 1))];
  const names = new Set(version.modules.map((m) => m.name));
  for (const module of ordered) {
    checkModuleName(module.name);
    if (byName.has(module.name)) throw new Error(`${where}: module ${module.name} appears twice`);
    // The layer holds modules as files: "lib" and "lib/x.js" cannot both exist there.
    const parents = module.name.split("/").slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join("/"));
    const clash = parents.find((dir) => names.has(dir));
    if (clash) throw new Error(`${where}: module ${clash} is also the directory of module ${module.name}`);
    if (module.type === "sourcemap") continue; // wrangler uploads them for Cloudflare's stack traces; workerd has no use for them
    const kind = MODULE_KIND[module.type];
    if (!kind) throw new Error(`${where}: module ${module.name} has unsupported type ${JSON.stringify(module.type)}`);
    const path = modulePath(script, version.versionId, module.name);
    byName.set(module.name, path);
    files.push({ path, kind: "module", script, versionId: version.versionId, moduleName: module.name });
    modules.push(`(name = ${s(module.name)}, ${kind} = embed ${s(path)})`);
  }

  const compat = clampCompatDate(version.compatibilityDate, maxDate);
  if (compat.warning) warnings.push(`${where}: ${compat.warning}`);
  const flags = [...new Set(version.compatibilityFlags ?? [])].map(checkFlag);

  const seen = new Set<string>();
  const bindings = (version.bindings ?? []).map((binding: Binding) => {
    if (seen.has(binding.name)) throw new Error(`${where}: binding ${binding.name} appears twice`);
    seen.add(binding.name);
    return renderBinding(binding, {
      script,
      scripts,
      modulePath: (name) => byName.get(name),
      warn: (message) => warnings.push(`${where}: ${message}`),
      use: (service) => used.add(service),
    });
  });
  return {
    comment: `${script}, version ${version.versionId} (${version.percentage}%)`,
    modules,
    compatibilityDate: compat.date,
    compatibilityFlags: flags,
    bindings,
  };
}

function runtimeModules(main: string, withRouting = true): string[] {
  const names = withRouting ? [main, "routing.mjs"] : [main];
  return names.map((n) => `(name = ${s(n)}, esModule = embed ${s(`${RUNTIME_DIR}/${n}`)})`);
}

function renderWorker(ref: string, w: Worker): string[] {
  const list = (key: string, items: string[]) => (items.length === 0 ? [] : [`  ${key} = [`, ...items.map((i) => `    ${i},`), "  ],"]);
  return [
    `# ${w.comment}`,
    `const ${ref} :Workerd.Worker = (`,
    ...list("modules", w.modules),
    `  compatibilityDate = ${s(w.compatibilityDate)},`,
    ...(w.compatibilityFlags.length ? [`  compatibilityFlags = [${w.compatibilityFlags.map(s).join(", ")}],`] : []),
    ...list("bindings", w.bindings),
    ");",
  ];
}

/**
 * Dry run for one version, for the API to refuse at upload time what no build could render (bad
 * binding names or settings, flags, dates, module layout). Returns the renderer's warnings.
 */
export function checkVersion(script: string, version: Omit<BundleVersion, "percentage">): string[] {
  return renderConfig([{ name: script, workerNumber: 0, versions: [{ ...version, percentage: 100 }] }]).warnings;
}
