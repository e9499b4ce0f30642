// The printer on the real workerd: hostile strings and raw bytes written inline come back to the worker
// unchanged (inline modules included), and the services and bindings the renderer does not emit yet (external servers with injected
// headers, disk directories, kvNamespace, r2Bucket) are accepted and behave as the schema says.
import { createServer, type IncomingMessage } from "node:http";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { ADD_WASM, freePort, startProcess } from "@fireworkers/testenv";
import type { Config } from "./model.ts";
import { printConfig } from "./print.ts";

const { tools, logDir } = inject("env");

// Everything that could end a literal, bend the config or get lost in an encoding.
const HOSTILE = 'q"uote \\back\\slash \\" new\nline\r\ttab nul\u0000 del\u007f é ✓ 😀 \u2028 "), (name = "EVIL", fromEnvironment = "HOME")';
/** Header values are bytes on the wire: the hostile ASCII part. */
const HEADER = 'q"uote \\back\\slash \\" "), (name = "EVIL", value = "x")';
const BYTES = Uint8Array.from({ length: 256 }, (_, i) => i);

const WORKER = `
import add from "add.wasm";
export default {
  async fetch(req, env) {
    const { exports } = await WebAssembly.instantiate(add);
    const disk = await env.DISK.fetch("http://disk/file.txt");
    const external = await env.EXTERNAL.fetch("http://external/echo");
    return Response.json({
      bindings: Object.keys(env).sort(),
      text: env.TEXT,
      json: env.JSON,
      data: [...new Uint8Array(env.DATA)],
      env: env.FROM_ENV,
      add: exports.add(2, 3),
      disk: await disk.text(),
      external: await external.json(),
      kv: await env.KV.get("some key"),
      r2: typeof env.R2.head,
      quoted: ${JSON.stringify(HOSTILE)},
    });
  },
};`;

describe("printed configs on workerd", () => {
  it("round-trips hostile strings and bytes, and serves through every kind of service", async () => {
    const requests: { url: string; headers: IncomingMessage["headers"] }[] = [];
    // Stands in for the platform's gateway: echoes what workerd sent it.
    const upstream = createServer((req, res) => {
      requests.push({ url: req.url!, headers: req.headers });
      if (req.url === "/echo") res.setHeader("content-type", "application/json").end(JSON.stringify({ token: req.headers["x-token"] }));
      else res.end("kv value");
    });
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    const upstreamAddress = `127.0.0.1:${(upstream.address() as { port: number }).port}`;

    const dir = mkdtempSync(join(tmpdir(), "workerd-config-print-"));
    mkdirSync(join(dir, "disk"));
    writeFileSync(join(dir, "disk", "file.txt"), "from disk");
    const port = await freePort();
    const config: Config = {
      services: [
        {
          name: "main",
          worker: {
            // Inline module: the worker's source is itself a string full of quotes, backslashes and newlines.
            modules: [
              { name: "main.js", kind: "esModule", value: WORKER },
              { name: "add.wasm", kind: "wasm", value: ADD_WASM },
            ],
            compatibilityDate: "2025-01-01",
            bindings: [
              { name: "TEXT", kind: "text", value: HOSTILE },
              { name: "JSON", kind: "json", value: JSON.stringify({ s: HOSTILE }) },
              { name: "DATA", kind: "data", value: BYTES },
              { name: "FROM_ENV", kind: "fromEnvironment", value: "FIREWORKERS_PRINT_TEST" },
              { name: "DISK", kind: "service", value: { name: "disk" } },
              { name: "EXTERNAL", kind: "service", value: { name: "upstream" } },
              { name: "KV", kind: "kvNamespace", value: { name: "upstream" } },
              { name: "R2", kind: "r2Bucket", value: { name: "upstream" } },
            ],
          },
        },
        { name: "disk", disk: { path: join(dir, "disk") } },
        { name: "upstream", external: { address: upstreamAddress, http: { injectRequestHeaders: [{ name: "X-Token", value: HEADER }] } } },
      ],
      sockets: [{ name: "http", address: `127.0.0.1:${port}`, http: {}, service: { name: "main" } }],
    };
    writeFileSync(join(dir, "config.capnp"), printConfig(config));
    const workerd = await startProcess({
      name: "workerd-print",
      command: tools.workerd,
      args: ["serve", join(dir, "config.capnp")],
      env: { FIREWORKERS_PRINT_TEST: 'env "value" é' },
      logDir,
      ready: async () => (await fetch(`http://127.0.0.1:${port}/`)).status > 0,
    });
    try {
      const res = await fetch(`http://127.0.0.1:${port}/`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        // The hostile strings added none.
        bindings: ["DATA", "DISK", "EXTERNAL", "FROM_ENV", "JSON", "KV", "R2", "TEXT"],
        text: HOSTILE,
        json: { s: HOSTILE },
        data: [...BYTES],
        env: 'env "value" é',
        add: 5,
        disk: "from disk",
        external: { token: HEADER },
        kv: "kv value",
        r2: "function",
        quoted: HOSTILE,
      });
      expect(requests.map((r) => r.url)).toContain("/some%20key?urlencoded=true");
    } finally {
      await workerd.stop();
      upstream.close();
    }
  });
});
