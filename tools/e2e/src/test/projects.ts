// Worker projects written to temporary directories, as a developer would have them: wrangler.toml + sources.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { ADD_WASM } from "@fireworkers/testenv";

export function writeProject(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), "e2e-worker-"));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

/**
 * Several ES modules (nested imports), a Text module and a compiled WebAssembly module; answers JSON that
 * proves each one was loaded. `marker` is compiled into a nested module, so a new marker is new code.
 */
export function multiModuleProject(name: string, marker: string): Record<string, string | Buffer> {
  return {
    "wrangler.toml": [
      `name = "${name}"`,
      `main = "src/index.js"`,
      `compatibility_date = "2025-01-01"`,
      `find_additional_modules = true`,
      `rules = [`,
      `  { type = "ESModule", globs = ["**/lib/*.js"] },`,
      `  { type = "Text", globs = ["**/*.txt"] },`,
      `  { type = "CompiledWasm", globs = ["**/*.wasm"] },`,
      `]`,
      `[vars]`,
      `MODE = "e2e"`,
      "",
    ].join("\n"),
    "src/index.js": [
      `import { marker } from "./lib/marker.js";`,
      `import greeting from "./greeting.txt";`,
      `import addModule from "./add.wasm";`,
      `const add = new WebAssembly.Instance(addModule).exports.add;`,
      `export default {`,
      `  fetch(request, env) {`,
      `    return Response.json({ marker: marker(), greeting: greeting.trim(), sum: add(20, 22), mode: env.MODE, path: new URL(request.url).pathname });`,
      `  },`,
      `};`,
      "",
    ].join("\n"),
    "src/lib/marker.js": `import { suffix } from "./suffix.js";\nexport const marker = () => "${marker}" + suffix;\n`,
    "src/lib/suffix.js": `export const suffix = "";\n`,
    "src/greeting.txt": "hello from a text module\n",
    "src/add.wasm": ADD_WASM,
  };
}

/** One module answering `<name>:<marker>` and, with `show`, the named env values (vars or secrets) as JSON. */
export function plainProject(name: string, body: string, extraToml = ""): Record<string, string> {
  return {
    "wrangler.toml": `name = "${name}"\nmain = "index.js"\ncompatibility_date = "2025-01-01"\n${extraToml}`,
    "index.js": body,
  };
}
