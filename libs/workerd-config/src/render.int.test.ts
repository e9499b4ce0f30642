// Every golden bundle runs on the real workerd: the rendered config parses, its services start, and the
// router answers. Module files are small stand-ins with the right types.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { ADD_WASM, freePort, startProcess } from "@fireworkers/testenv";
import { renderConfig } from "./render.ts";
import { BUNDLES } from "./test/bundles.ts";

const { tools, logDir } = inject("env");

function standIn(script: string, moduleName: string): Buffer | string {
  if (moduleName.endsWith(".wasm")) return ADD_WASM;
  if (moduleName === "index.js") {
    return `export default { fetch(req, env) { return Response.json({ script: ${JSON.stringify(script)}, bindings: Object.keys(env).sort() }); } };
export const Admin = { fetch() { return new Response("admin"); } };`;
  }
  if (moduleName.endsWith(".cjs")) return "module.exports = { one: 1 };";
  if (moduleName.endsWith(".js")) return "export const x = 1;";
  return "data";
}

describe("rendered configs on workerd", () => {
  it.each(Object.keys(BUNDLES))("%s serves through the router", async (name) => {
    const scripts = BUNDLES[name]!;
    const rendered = renderConfig(scripts);
    const dir = mkdtempSync(join(tmpdir(), `workerd-config-${name}-`));
    writeFileSync(join(dir, "config.capnp"), rendered.config);
    for (const f of rendered.files) {
      mkdirSync(dirname(join(dir, f.path)), { recursive: true });
      writeFileSync(join(dir, f.path), f.kind === "static" ? f.content : standIn(f.script, f.moduleName));
    }
    const ports = new Map<string, number>();
    for (const s of rendered.sockets) ports.set(s.name, await freePort());
    const router = ports.get("http-router")!;
    const workerd = await startProcess({
      name: `workerd-${name}`,
      command: tools.workerd,
      args: ["serve", join(dir, "config.capnp"), ...[...ports].flatMap(([socket, port]) => ["-s", `${socket}=127.0.0.1:${port}`])],
      logDir,
      ready: async () => (await fetch(`http://127.0.0.1:${router}/`)).status > 0,
    });
    try {
      for (const script of scripts) {
        const res = await fetch(`http://127.0.0.1:${router}/${script.name}/x`);
        expect(((await res.json()) as { script: string }).script).toBe(script.name);
      }
      expect((await fetch(`http://127.0.0.1:${router}/no-such-script`)).status).toBe(404);
    } finally {
      await workerd.stop();
    }
  });
});
