import { describe, expect, it } from "vitest";
import { capnpString } from "./capnp-text.ts";

describe("capnpString", () => {
  it("escapes whatever could end or bend the literal", () => {
    expect(capnpString('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(capnpString("l1\nl2\r\t\u0001\u007f")).toBe('"l1\\nl2\\r\\t\\x01\\x7f"');
    expect(capnpString("é ✓ 😀")).toBe('"é ✓ 😀"');
  });
});
