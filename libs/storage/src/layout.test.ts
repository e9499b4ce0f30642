import { describe, expect, it } from "vitest";
import { kvNamespacePrefix, metadataKey, moduleKey, scriptPrefix, validateModuleName, versionPrefix } from "./layout.ts";

const v = "0b3c9a3e-5a6f-4c1e-9d7e-2f1a3b4c5d6e";

describe("S3 layout", () => {
  it("nests versions under account and script", () => {
    const prefix = versionPrefix("acc1", "hello", v);
    expect(prefix).toBe(`accounts/acc1/scripts/hello/versions/${v}/`);
    expect(metadataKey(prefix)).toBe(`${prefix}metadata.json`);
    expect(moduleKey(prefix, "lib/util.mjs")).toBe(`${prefix}modules/lib/util.mjs`);
    expect(scriptPrefix("acc1", "hello")).toBe("accounts/acc1/scripts/hello/");
  });

  it.each([
    ["", /empty/],
    ["../etc/passwd", /'\.\.'/],
    ["a/../../b", /'\.\.'/],
    ["/abs.mjs", /absolute/],
    ["a//b.mjs", /empty/],
    ["./a.mjs", /'\.'/],
    ["a\\b.mjs", /backslash/],
    ["a\u0000.mjs", /control/],
    ["x".repeat(257), /256 bytes/],
    ["weird|name.mjs", /characters/],
  ])("rejects module name %j", (name, reason) => {
    expect(() => validateModuleName(name)).toThrow(reason);
  });

  it.each(["index.js", "lib/util.mjs", "add.wasm", "index.js.map", "@scope/pkg/mod.js", "data/file name.txt"])("accepts %j", (name) => {
    expect(validateModuleName(name)).toBe(name);
  });

  it("gives each KV namespace its own prefix under the account", () => {
    expect(kvNamespacePrefix("acc1", "0123456789abcdef0123456789abcdef")).toBe("accounts/acc1/kv/0123456789abcdef0123456789abcdef/");
    expect(() => kvNamespacePrefix("acc1", "../../x")).toThrow(/KV namespace id/);
    expect(() => kvNamespacePrefix("acc1", "0123456789ABCDEF0123456789ABCDEF")).toThrow(/KV namespace id/);
    expect(() => kvNamespacePrefix("a/b", "0123456789abcdef0123456789abcdef")).toThrow(/account/);
  });

  it("refuses account, script or version shapes that could escape the prefix", () => {
    expect(() => versionPrefix("acc1", "../x", v)).toThrow(/script/);
    expect(() => versionPrefix("ACC", "x", v)).toThrow(/account/);
    expect(() => versionPrefix("acc", "x", "not-a-uuid")).toThrow(/version/);
  });
});
