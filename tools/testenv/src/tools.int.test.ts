import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, inject, it } from "vitest";
import { freePort } from "./ports.ts";
import { startProcess } from "./process.ts";
import { ADD_WASM } from "./test-assets.ts";

const { tools, logDir } = inject("env");
const run = promisify(execFile);


describe("workerd", () => {
  it("serves an ES-module worker that imports a .wasm module", async () => {
    const dir = mkdtempSync(join(tmpdir(), "workerd-"));
    const port = await freePort();
    writeFileSync(join(dir, "add.wasm"), ADD_WASM);
    writeFileSync(
      join(dir, "main.mjs"),
      `import addModule from "./add.wasm";
const { exports } = new WebAssembly.Instance(addModule);
export default { fetch(req) { const u = new URL(req.url); return Response.json({ sum: exports.add(+u.searchParams.get("a"), +u.searchParams.get("b")) }); } };`,
    );
    writeFileSync(
      join(dir, "config.capnp"),
      `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "main", worker = .worker)],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [(name = "main.mjs", esModule = embed "main.mjs"), (name = "add.wasm", wasm = embed "add.wasm")],
  compatibilityDate = "2025-01-01",
);`,
    );
    const workerd = await startProcess({
      name: "workerd-wasm",
      command: tools.workerd,
      args: ["serve", join(dir, "config.capnp")],
      logDir,
      ready: async () => (await fetch(`http://127.0.0.1:${port}/`)).ok,
    });
    try {
      const res = await fetch(`http://127.0.0.1:${port}/?a=40&b=2`);
      expect(await res.json()).toEqual({ sum: 42 });
    } finally {
      await workerd.stop();
    }
  });
});

describe("wrangler", () => {
  it("runs under the project's Node: the pinned 4.x and 3.114", async () => {
    expect(Number(process.versions.node.split(".")[0])).toBeGreaterThanOrEqual(22);
    const v4 = await run(tools.node, [tools.wrangler, "--version"], { env: { ...process.env, WRANGLER_SEND_METRICS: "false" } });
    expect(v4.stdout).toContain("4.164.0");
    const v3 = await run(tools.node, [tools.wrangler3, "--version"], { env: { ...process.env, WRANGLER_SEND_METRICS: "false" } });
    expect(v3.stdout).toContain("3.114.8");
  });
});
