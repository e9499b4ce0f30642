import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkVersion, renderConfig } from "./render.ts";
import { BUNDLES, V1, V2 } from "./test/bundles.ts";

// Golden files: `UPDATE_GOLDEN=1 vitest run --project unit libs/workerd-config` rewrites them; review the diff.
const golden = (name: string) => new URL(`../testdata/${name}.capnp`, import.meta.url);

describe("renderConfig golden files", () => {
  it.each(Object.keys(BUNDLES))("%s", (name) => {
    const { config } = renderConfig(BUNDLES[name]!);
    if (process.env.UPDATE_GOLDEN === "1") writeFileSync(golden(name), config);
    expect(config).toBe(readFileSync(golden(name), "utf8"));
  });
});

const one = (overrides: Record<string, unknown> = {}, script: Record<string, unknown> = {}) =>
  [
    {
      name: "w",
      workerNumber: 0,
      versions: [{ versionId: V1, percentage: 100, mainModule: "index.js", modules: [{ name: "index.js", type: "esm" as const }], compatibilityDate: "2025-01-01", ...overrides }],
      ...script,
    },
  ] as Parameters<typeof renderConfig>[0];

describe("renderConfig", () => {
  it("lists the files to embed, without source maps, sorted, with the runtime workers", () => {
    const { files } = renderConfig(BUNDLES["multi-module-wasm"]!);
    expect(files.map((f) => f.path)).toEqual([
      "fireworkers/kv-binding.mjs",
      "fireworkers/router.mjs",
      "fireworkers/routing.mjs",
      "fireworkers/split.mjs",
      "fireworkers/unavailable.mjs",
      `scripts/calc/${V1}/add.wasm`,
      `scripts/calc/${V1}/banner.txt`,
      `scripts/calc/${V1}/blob.bin`,
      `scripts/calc/${V1}/index.js`,
      `scripts/calc/${V1}/legacy.cjs`,
      `scripts/calc/${V1}/lib/math.js`,
    ]);
  });

  it("reports the sockets: the router on 8000, each script on 8080 + workerNumber", () => {
    expect(renderConfig(BUNDLES["service-binding"]!).sockets).toEqual([
      { name: "http-router", port: 8000, script: null },
      { name: "http-backend", port: 8080, script: "backend" },
      { name: "http-frontend", port: 8081, script: "frontend" },
    ]);
    expect(renderConfig(BUNDLES["single-esm"]!, { basePort: 9000, routerPort: 9999 }).sockets.map((s) => s.port)).toEqual([9999, 9000]);
  });

  it("does not depend on the order of scripts", () => {
    const scripts = BUNDLES["service-binding"]!;
    expect(renderConfig([...scripts].reverse()).config).toBe(renderConfig(scripts).config);
  });

  it("clamps a future compatibility date and warns, defaults a missing one", () => {
    const { config, warnings } = renderConfig(BUNDLES["secrets-env"]!);
    expect(config).toContain('compatibilityDate = "2026-11-17"');
    expect(warnings).toEqual([expect.stringContaining("2099-01-01 is newer than the runtime supports: clamped to 2026-11-17")]);
    expect(renderConfig(BUNDLES["split-70-30"]!).warnings).toEqual([expect.stringMatching(/no compatibility date: using 2021-11-03/)]);
    expect(renderConfig(BUNDLES["single-esm"]!, { maxCompatibilityDate: "2024-06-30" }).config).toContain('"2024-06-30"');
  });

  it("stubs services outside the bundle, with a warning", () => {
    const { config, warnings } = renderConfig(BUNDLES["service-binding"]!);
    expect(warnings).toHaveLength(1);
    expect(config).toContain('(name = "GONE", service = "fireworkers:unbound-service")');
  });

  it("points KV bindings at the platform's KV worker with the namespace id in props, and that worker at the gateway", () => {
    const { config, files } = renderConfig(BUNDLES["service-binding"]!, { bindingsGateway: "gw.example.svc:8080" });
    expect(config).toContain('(name = "CACHE", kvNamespace = (name = "fireworkers:kv", props = (json = "{\\"namespace\\":\\"5d1a0c7b1a2b4c3d8e9f00112233aabb\\"}")))');
    expect(config).toContain('(name = "fireworkers:kv", worker = ');
    expect(config).toContain('(name = "CREDENTIAL", fromEnvironment = "FIREWORKERS_BINDINGS_CREDENTIAL")');
    expect(config).toContain('(name = "fireworkers:bindings-gateway", external = (address = "gw.example.svc:8080", http = ()))');
    expect(files.map((f) => f.path)).toContain("fireworkers/kv-binding.mjs");
    // only the platform's KV worker binds the gateway; tenant workers have no binding to it
    expect(config.match(/service = "fireworkers:bindings-gateway"/g)).toHaveLength(1);
  });

  it("renders no KV worker or gateway for a bundle without KV bindings", () => {
    const { config } = renderConfig(BUNDLES["single-esm"]!);
    expect(config).not.toContain("fireworkers:kv");
    expect(config).not.toContain("bindings-gateway");
  });

  it("uses the shared secret env var names", () => {
    expect(renderConfig(BUNDLES["secrets-env"]!).config).toContain('(name = "DB_PASSWORD", fromEnvironment = "S6_MY_API_DB_PASSWORD")');
  });

  it.each([
    ["a script name that is not a DNS label", one({}, { name: 'x", service = "evil' }), /invalid script name/],
    ["a bad version id", one({ versionId: "v1" }), /invalid version id/],
    ["a module name with a quote", one({ modules: [{ name: "index.js", type: "esm" }, { name: 'a".js', type: "esm" }] }), /module name/],
    ["a module escaping its directory", one({ modules: [{ name: "index.js", type: "esm" }, { name: "../x.js", type: "esm" }] }), /module name/],
    ["a missing main module", one({ mainModule: "main.js" }), /main module "main.js" is not among its modules/],
    ["a wasm main module", one({ mainModule: "a.wasm", modules: [{ name: "a.wasm", type: "wasm" }] }), /not JavaScript/],
    ["a binding name that is not an identifier", one({ bindings: [{ name: "a b", type: "plain_text", text: "x" }] }), /invalid binding name/],
    ["a duplicate binding", one({ bindings: [{ name: "A", type: "plain_text", text: "x" }, { name: "A", type: "json", json: 1 }] }), /appears twice/],
    ["an unresolved inherit binding", one({ bindings: [{ name: "A", type: "inherit" }] }), /inherit/],
    ["an unknown binding type", one({ bindings: [{ name: "A", type: "d1" }] }), /unsupported type "d1"/],
    ["a wasm binding to a missing part", one({ bindings: [{ name: "A", type: "wasm_module", part: "x.wasm" }] }), /not among the version's modules/],
    ["an invalid flag", one({ compatibilityFlags: ['x"'] }), /compatibility flag/],
    ["an invalid date", one({ compatibilityDate: "2025-02-30" }), /compatibility date/],
    ["an entrypoint that is not an identifier", one({ bindings: [{ name: "A", type: "service", service: "w", entrypoint: "x y" }] }), /entrypoint/],
  ])("refuses %s", (_what, scripts, error) => {
    expect(() => renderConfig(scripts)).toThrow(error);
  });

  it("refuses splits that do not add up, duplicate ports and scripts", () => {
    const version = (versionId: string, percentage: number) => ({ versionId, percentage, mainModule: "i.js", modules: [{ name: "i.js", type: "esm" as const }] });
    expect(() => renderConfig([{ name: "w", workerNumber: 0, versions: [version(V1, 60), version(V2, 60)] }])).toThrow(/sum to 100/);
    expect(() => renderConfig([{ name: "w", workerNumber: 0, versions: [version(V1, 50), version(V1, 50)] }])).toThrow(/twice/);
    expect(() =>
      renderConfig([
        { name: "a", workerNumber: 1, versions: [version(V1, 100)] },
        { name: "b", workerNumber: 1, versions: [version(V1, 100)] },
      ]),
    ).toThrow(/port 8081 is already used by script a/);
    expect(() => renderConfig([{ name: "a", workerNumber: 0, versions: [version(V1, 100)] }], { routerPort: 8080 })).toThrow(/already used by the router/);
  });
});

describe("checkVersion (the API's upload-time dry run)", () => {
  const ok = { versionId: "00000000-0000-4000-8000-000000000001", mainModule: "index.js", modules: [{ name: "index.js", type: "esm" as const }] };

  it("accepts a renderable version and passes on the warnings", () => {
    expect(checkVersion("hello", { ...ok, bindings: [{ name: "KV", type: "kv_namespace", namespace_id: "0123456789abcdef0123456789abcdef" }] })).not.toContainEqual(expect.stringMatching(/KV/));
    expect(checkVersion("hello", { ...ok, bindings: [{ name: "S", type: "service", service: "gone" }] })).toContainEqual(expect.stringMatching(/not deployed/));
  });

  it.each([
    ["a binding name that is not an identifier", { bindings: [{ name: "my-var", type: "plain_text", text: "x" }] }, /invalid binding name/],
    ["plain_text without text", { bindings: [{ name: "A", type: "plain_text" }] }, /text/],
    ["a KV namespace id that is not 32 hex", { bindings: [{ name: "KV", type: "kv_namespace", namespace_id: '0"; x' }] }, /KV namespace id/],
    ["a wasm binding to a part that was not uploaded", { bindings: [{ name: "W", type: "wasm_module", part: "add.wasm" }] }, /not among the version's modules/],
    ["an unknown compatibility flag shape", { compatibilityFlags: ["Not A Flag"] }, /invalid compatibility flag/],
    ["an invalid entrypoint on a service not deployed yet", { bindings: [{ name: "S", type: "service", service: "other", entrypoint: "x y" }] }, /invalid entrypoint/],
    ["a wasm binding, which workerd refuses in a modules worker", { modules: [...ok.modules, { name: "add.wasm", type: "wasm" as const }], bindings: [{ name: "W", type: "wasm_module", part: "add.wasm" }] }, /only in service-worker scripts; import "add.wasm"/],
    ["a module that is also another's directory", { modules: [...ok.modules, { name: "lib", type: "text" as const }, { name: "lib/x.js", type: "esm" as const }] }, /also the directory/],
  ])("refuses %s", (_, change, reason) => {
    expect(() => checkVersion("hello", { ...ok, ...(change as object) })).toThrow(reason);
  });
});
