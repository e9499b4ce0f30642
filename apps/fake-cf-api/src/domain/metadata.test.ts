import { describe, expect, it } from "vitest";
import { parseUploadMetadata } from "./metadata.ts";
import { moduleName, moduleTypeOf } from "./modules.ts";

describe("parseUploadMetadata", () => {
  it("reads what wrangler 4 sends on a first deploy", () => {
    const m = parseUploadMetadata(
      JSON.stringify({
        main_module: "index.js",
        bindings: [{ name: "NAME", type: "plain_text", text: "world" }],
        compatibility_date: "2025-01-01",
        compatibility_flags: ["nodejs_compat"],
        code_update_strategy: { mode: "deferred", max_delay: 300 },
        keep_bindings: ["secret_text", "secret_key"],
        annotations: { "workers/message": "m", "workers/tag": "t" },
      }),
    );
    expect(m).toMatchObject({ main_module: "index.js", keep_bindings: ["secret_text", "secret_key"], annotations: { "workers/tag": "t" } });
  });

  it.each([
    ["not json", /not valid JSON/],
    [JSON.stringify({ bindings: [] }), /main_module is required/],
    [JSON.stringify({ body_part: "worker.js" }), /service-worker format/],
    [JSON.stringify({ main_module: "i.js", compatibility_date: "tomorrow" }), /metadata\.compatibility_date must match/],
    [JSON.stringify({ main_module: "i.js", bindings: [{ name: "DB", type: "d1", id: "x" }] }), /bindings\[0\]\.type: binding 'DB' of type 'd1' is not supported/],
    [JSON.stringify({ main_module: "i.js", bindings: [{ name: "A", type: "plain_text" }, { name: "A", type: "json" }] }), /duplicate binding name 'A'/],
    [JSON.stringify({ main_module: "i.js", bindings: [{ type: "plain_text" }] }), /metadata\.bindings\.0 must have required property 'name'/],
  ])("refuses %s naming the field", (text, reason) => {
    expect(() => parseUploadMetadata(text)).toThrow(reason);
  });
});

describe("module parts", () => {
  it("maps wrangler's part content types to module types", () => {
    expect(moduleTypeOf("application/javascript+module")).toBe("esm");
    expect(moduleTypeOf("application/wasm")).toBe("wasm");
    expect(moduleTypeOf("application/source-map; charset=utf-8")).toBe("sourcemap");
    expect(moduleTypeOf("text/x-python")).toBeUndefined();
  });

  it("drops the './' of content-hashed module names and refuses traversal", () => {
    expect(moduleName("./f2f4-add.wasm")).toBe("f2f4-add.wasm");
    expect(() => moduleName("../../etc/passwd")).toThrow(/'\.\.'/);
    expect(() => moduleName("/abs.js")).toThrow(/absolute/);
    expect(() => moduleName("././x.js")).toThrow(/'\.'/);
  });
});
