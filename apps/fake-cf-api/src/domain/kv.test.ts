import { describe, expect, it } from "vitest";
import { KvError } from "@fireworkers/kv-store";
import { checkNamespaceId, checkTitle, pageNamespaces, parseBulkGet, parseBulkWrite, parseKeyNames, titleLabel } from "./kv.ts";

const now = Date.UTC(2026, 0, 1);
const nowS = now / 1000;
const err = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e as KvError;
  }
  throw new Error("did not throw");
};

describe("KV API shapes", () => {
  it("parses a bulk write with base64, expiration and metadata", () => {
    const entries = parseBulkWrite(
      [
        { key: "a", value: "hello" },
        { key: "b", value: Buffer.from([0, 255]).toString("base64"), base64: true, expiration_ttl: 120, metadata: { m: 1 } },
        { key: "c", value: "x", expiration: nowS + 3600 },
      ],
      now,
    );
    expect(entries[0]).toEqual({ key: "a", value: Buffer.from("hello"), options: {} });
    expect(entries[1]).toEqual({ key: "b", value: Buffer.from([0, 255]), options: { expiration: nowS + 120, metadata: '{"m":1}' } });
    expect(entries[2]!.options.expiration).toBe(nowS + 3600);
  });

  it.each([
    [[{ key: "", value: "v" }], /\[0\]\.key/, 10034],
    [[{ key: "a", value: "v" }, { key: "x".repeat(513), value: "v" }], /\[1\]\.key.*512/, 10034],
    [[{ key: "a" }], /\[0\]\.value/, 10012],
    [[{ key: "a", value: "v", expiration_ttl: 59 }], /\[0\]\.expiration_ttl.*60/, 10033],
    [[{ key: "a", value: "v", expiration: nowS + 30 }], /\[0\]\.expiration/, 10033],
    [[{ key: "a", value: "v", metadata: { x: "y".repeat(1100) } }], /\[0\]\.metadata.*1024/, 10035],
    [[{ key: "a", value: "%%", base64: true }], /\[0\]\.value.*base64/, 10012],
    [Array.from({ length: 10_001 }, () => ({ key: "a", value: "v" })), /10000/, 10038],
    [{ key: "a" }, /array/, 10012],
  ])("refuses bulk write %#, naming the field", (body, message, code) => {
    const e = err(() => parseBulkWrite(body, now));
    expect(e).toBeInstanceOf(KvError);
    expect(e.message).toMatch(message);
    expect(e.code).toBe(code);
  });

  it("parses key names and bulk gets", () => {
    expect(parseKeyNames(["a", "b"])).toEqual(["a", "b"]);
    expect(err(() => parseKeyNames(["a", 3])).message).toMatch(/\[1\]/);
    expect(parseBulkGet({ keys: ["a"], type: "json", withMetadata: true })).toEqual({ keys: ["a"], type: "json", withMetadata: true });
    expect(err(() => parseBulkGet({ keys: Array.from({ length: 101 }, (_, i) => `k${i}`) })).message).toMatch(/100/);
    expect(err(() => parseBulkGet({ keys: ["a"], type: "stream" })).message).toMatch(/type/);
  });

  it("pages namespaces by title or id, and an empty page past the end", () => {
    const all = ["c", "a", "b"].map((t, i) => ({ id: `${i}`.repeat(32), title: t, supports_url_encoding: true as const }));
    expect(pageNamespaces(all, { order: "title", direction: "asc", per_page: 2 }).items.map((n) => n.title)).toEqual(["a", "b"]);
    expect(pageNamespaces(all, { order: "title", direction: "asc", per_page: 2, page: 2 }).items.map((n) => n.title)).toEqual(["c"]);
    expect(pageNamespaces(all, { order: "title", per_page: 2, page: 3 }).items).toEqual([]);
    expect(pageNamespaces(all, { order: "title", direction: "desc" }).items.map((n) => n.title)).toEqual(["c", "b", "a"]);
    expect(pageNamespaces(all, {}).resultInfo).toEqual({ page: 1, per_page: 20, count: 3, total_count: 3, total_pages: 1 });
  });

  it("checks titles and namespace ids", () => {
    expect(checkTitle("My KV")).toBe("My KV");
    expect(err(() => checkTitle("")).code).toBe(10019);
    expect(err(() => checkNamespaceId("../x")).code).toBe(10011);
    expect(titleLabel("a")).toMatch(/^[0-9a-f]{40}$/);
  });
});
