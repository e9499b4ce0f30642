import { describe, expect, it } from "vitest";
import type { Binding, Config, Worker } from "./model.ts";
import { capnpComment, capnpData, capnpString, printConfig } from "./print.ts";

const worker = (w: Partial<Worker> = {}): Worker => ({ modules: [{ name: "m.js", kind: "esModule", value: { embed: "m.js" } }], compatibilityDate: "2025-01-01", ...w });
const withBindings = (...bindings: Binding[]): Config => ({ services: [{ name: "w", worker: worker({ bindings }) }], sockets: [] });
/** The config's lines inside `bindings = [ ... ]`, without indentation. */
const bindingLines = (config: Config) => {
  const lines = printConfig(config).split("\n");
  const start = lines.indexOf("  bindings = [");
  return lines.slice(start + 1, lines.indexOf("  ],", start)).map((l) => l.trim());
};

describe("capnpString", () => {
  it("escapes whatever could end or bend the literal", () => {
    expect(capnpString('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(capnpString('\\"')).toBe('"\\\\\\""');
    expect(capnpString("l1\nl2\r\t\u0001\u007f")).toBe('"l1\\nl2\\r\\t\\x01\\x7f"');
    expect(capnpString("nul\u0000here")).toBe('"nul\\x00here"');
  });

  it("keeps Unicode as UTF-8, including line separators", () => {
    expect(capnpString("é ✓ 😀 \u2028")).toBe('"é ✓ 😀 \u2028"');
  });

  it("refuses a lone surrogate, which has no UTF-8 encoding", () => {
    expect(() => capnpString("a\ud800b")).toThrow(/not well-formed Unicode/);
  });
});

describe("capnpData", () => {
  it("writes every byte in hex, quotes and backslashes included", () => {
    expect(capnpData(new Uint8Array([0x00, 0x22, 0x5c, 0x0a, 0xff]))).toBe('0x"00 22 5c 0a ff"');
    expect(capnpData(new Uint8Array())).toBe('0x""');
    expect(capnpData(Buffer.from("é"))).toBe('0x"c3 a9"');
  });
});

describe("capnpComment", () => {
  it("stays on one line whatever the text", () => {
    expect(capnpComment('x\nconst evil = "1";\r')).toBe('# x\\nconst evil = \\"1\\";\\r');
  });
});

describe("printConfig", () => {
  it("prints every part of the model, in schema order", () => {
    const config: Config = {
      logging: { stdoutPrefix: "", structuredLogging: true },
      sockets: [{ service: { name: "w" }, http: {}, address: "*:8080", name: "http-w" }],
      services: [
        {
          name: "w",
          comment: "the worker",
          worker: {
            tails: [{ name: "tail" }],
            globalOutbound: { name: "gateway" },
            bindings: [{ name: "A", kind: "text", value: "a" }],
            compatibilityFlags: ["nodejs_compat", "x"],
            compatibilityDate: "2025-01-01",
            modules: [
              { name: "index.js", kind: "esModule", value: { embed: "scripts/index.js" } },
              { name: "inline.cjs", kind: "commonJsModule", value: "module.exports = 1;" },
              { name: "t.txt", kind: "text", value: { embed: "t.txt" } },
              { name: "d.bin", kind: "data", value: new Uint8Array([1, 2]) },
              { name: "a.wasm", kind: "wasm", value: { embed: "a.wasm" } },
              { name: "c.json", kind: "json", value: '{"a":1}' },
            ],
          },
        },
        { name: "gateway", external: { address: "gateway.fireworkers.svc:8080", http: { injectRequestHeaders: [{ name: "Authorization", value: "Bearer t" }] } } },
        { name: "internet", network: { allow: ["public"], deny: ["10.0.0.0/8"] } },
        { name: "files", disk: { path: "/data", writable: true } },
      ],
    };
    expect(printConfig(config, "title")).toBe(
      [
        "# title",
        'using Workerd = import "/workerd/workerd.capnp";',
        "",
        "const config :Workerd.Config = (",
        "  services = [",
        '    (name = "w", worker = .worker0),',
        '    (name = "gateway", external = (address = "gateway.fireworkers.svc:8080", http = (injectRequestHeaders = [(name = "Authorization", value = "Bearer t")]))),',
        '    (name = "internet", network = (allow = ["public"], deny = ["10.0.0.0/8"])),',
        '    (name = "files", disk = (path = "/data", writable = true)),',
        "  ],",
        "  sockets = [",
        '    (name = "http-w", address = "*:8080", http = (), service = "w"),',
        "  ],",
        '  logging = (structuredLogging = true, stdoutPrefix = ""),',
        ");",
        "",
        "# the worker",
        "const worker0 :Workerd.Worker = (",
        "  modules = [",
        '    (name = "index.js", esModule = embed "scripts/index.js"),',
        '    (name = "inline.cjs", commonJsModule = "module.exports = 1;"),',
        '    (name = "t.txt", text = embed "t.txt"),',
        '    (name = "d.bin", data = 0x"01 02"),',
        '    (name = "a.wasm", wasm = embed "a.wasm"),',
        '    (name = "c.json", json = "{\\"a\\":1}"),',
        "  ],",
        '  compatibilityDate = "2025-01-01",',
        '  compatibilityFlags = ["nodejs_compat", "x"],',
        "  bindings = [",
        '    (name = "A", text = "a"),',
        "  ],",
        '  globalOutbound = "gateway",',
        '  tails = ["tail"],',
        ");",
        "",
      ].join("\n"),
    );
  });

  it.each<[string, Binding, string]>([
    ["inline text", { name: "T", kind: "text", value: 'a"b' }, '(name = "T", text = "a\\"b")'],
    ["embedded text", { name: "T", kind: "text", value: { embed: "dir/t.txt" } }, '(name = "T", text = embed "dir/t.txt")'],
    ["inline data", { name: "D", kind: "data", value: new Uint8Array([0, 255]) }, '(name = "D", data = 0x"00 ff")'],
    ["embedded data", { name: "D", kind: "data", value: { embed: "d.bin" } }, '(name = "D", data = embed "d.bin")'],
    ["json", { name: "J", kind: "json", value: '{"k":"v"}' }, '(name = "J", json = "{\\"k\\":\\"v\\"}")'],
    ["a wasm module", { name: "W", kind: "wasmModule", value: { embed: "a.wasm" } }, '(name = "W", wasmModule = embed "a.wasm")'],
    ["a service", { name: "S", kind: "service", value: { name: "backend" } }, '(name = "S", service = "backend")'],
    ["a service entrypoint", { name: "S", kind: "service", value: { name: "backend", entrypoint: "Admin" } }, '(name = "S", service = (name = "backend", entrypoint = "Admin"))'],
    ["a KV namespace", { name: "KV", kind: "kvNamespace", value: { name: "kv-gateway" } }, '(name = "KV", kvNamespace = "kv-gateway")'],
    [
      "a KV namespace with props",
      { name: "KV", kind: "kvNamespace", value: { name: "fireworkers:kv", props: { json: '{"namespace":"ab"}' } } },
      '(name = "KV", kvNamespace = (name = "fireworkers:kv", props = (json = "{\\"namespace\\":\\"ab\\"}")))',
    ],
    ["a KV namespace on an entrypoint", { name: "KV", kind: "kvNamespace", value: { name: "gw", entrypoint: "Kv" } }, '(name = "KV", kvNamespace = (name = "gw", entrypoint = "Kv"))'],
    ["an R2 bucket", { name: "R2", kind: "r2Bucket", value: { name: "r2-gateway" } }, '(name = "R2", r2Bucket = "r2-gateway")'],
    ["an environment variable", { name: "E", kind: "fromEnvironment", value: "S6_API_KEY" }, '(name = "E", fromEnvironment = "S6_API_KEY")'],
    [
      "a wrapped binding",
      { name: "DB", kind: "wrapped", value: { moduleName: "cloudflare-internal:d1-api", innerBindings: [{ name: "fetcher", kind: "service", value: { name: "d1" } }] } },
      '(name = "DB", wrapped = (moduleName = "cloudflare-internal:d1-api", innerBindings = [(name = "fetcher", service = "d1")]))',
    ],
    ["a wrapped binding's entrypoint", { name: "X", kind: "wrapped", value: { moduleName: "m", entrypoint: "make" } }, '(name = "X", wrapped = (moduleName = "m", entrypoint = "make"))'],
  ])("prints %s", (_what, binding, line) => {
    expect(bindingLines(withBindings(binding))).toEqual([`${line},`]);
  });

  it("escapes hostile strings wherever they appear, one literal each", () => {
    const hostile = 'x"), (name = "EVIL", fromEnvironment = "HOME"\n\\\u0000é😀';
    const escaped = 'x\\"), (name = \\"EVIL\\", fromEnvironment = \\"HOME\\"\\n\\\\\\x00é😀';
    const config: Config = {
      services: [
        { name: hostile, comment: hostile, worker: worker({ compatibilityFlags: [hostile], bindings: [{ name: hostile, kind: "text", value: hostile }] }) },
        { name: "e", external: { address: hostile, http: { injectRequestHeaders: [{ name: hostile, value: hostile }] } } },
        { name: "d", disk: { path: hostile } },
      ],
      sockets: [{ name: hostile, address: hostile, http: {}, service: { name: hostile, entrypoint: hostile } }],
    };
    const text = printConfig(config);
    // Nothing ends a literal early: the 13 hostile strings give 13 escaped ones and nothing else leaks.
    expect(text.split(escaped)).toHaveLength(14);
    expect(text.split("\n")).toHaveLength(26);
    expect(text).not.toContain("\u0000");
    expect(text).toContain(`# ${escaped}\nconst worker0`);
  });

  it("does not depend on the key order of the model's objects", () => {
    const a: Config = { services: [{ name: "s", worker: worker({ bindings: [{ name: "A", kind: "service", value: { name: "x", entrypoint: "E" } }] }) }], sockets: [] };
    const b: Config = { sockets: [], services: [{ worker: { bindings: [{ value: { entrypoint: "E", name: "x" }, kind: "service", name: "A" }], compatibilityDate: "2025-01-01", modules: worker().modules }, name: "s" }] };
    expect(printConfig(b)).toBe(printConfig(a));
  });

  it("leaves out empty lists and absent optional fields, so the schema defaults apply", () => {
    const text = printConfig({ services: [{ name: "n", network: {} }, { name: "w", worker: worker({ bindings: [], compatibilityFlags: [] }) }], sockets: [{ name: "s", http: {}, service: { name: "w" } }] });
    expect(text).toContain('(name = "n", network = ()),');
    expect(text).toContain('(name = "s", http = (), service = "w"),');
    expect(text).not.toMatch(/bindings|compatibilityFlags|logging/);
  });
});
