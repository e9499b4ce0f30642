import { describe, expect, it } from "vitest";
import { cursorOf, keyOfObjectName, nameOfCursor, objectName, prefixRange } from "./keys.ts";

const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
// S3 lists object names in the byte order of their UTF-8 encoding; names here are ASCII.
const nameOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const samples = [
  "a",
  "ab",
  "a/b",
  "a b",
  "A",
  "\u0000",
  "\u0000\u0000",
  "\u007f",
  "é",
  "e\u0301",
  "日本",
  "😀",
  "..a",
  "%2F",
  "x".repeat(124),
  "x".repeat(125),
  "x".repeat(126),
  "x".repeat(512),
  "x".repeat(511) + "y",
  "\uffff",
  "z",
];

describe("KV key encoding", () => {
  it.each(samples)("round-trips %j through a safe object name", (key) => {
    const name = objectName(key);
    expect(name).toMatch(/^[0-9A-V/]+-$/);
    expect(name.split("/").every((part) => part.length <= 201)).toBe(true);
    expect(keyOfObjectName(name)).toBe(key);
  });

  it("keeps a 512-byte key's object name within S3's 1024-byte key limit under any account prefix", () => {
    const name = objectName("é".repeat(256));
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(830);
  });

  it("sorts object names in the keys' UTF-8 byte order (no two keys share a name)", () => {
    const byKey = [...samples].sort(byteOrder).map(objectName);
    const byName = samples.map(objectName).sort(nameOrder);
    expect(byName).toEqual(byKey);
    expect(new Set(byName).size).toBe(samples.length);
  });

  it("never makes one object name the directory of another", () => {
    const names = samples.map(objectName);
    for (const a of names) for (const b of names) if (a !== b) expect(b.startsWith(`${a}/`)).toBe(false);
  });

  it("refuses object names this layout does not write", () => {
    for (const bad of ["", "-", "AB", "ab-", "W0-", "../x-", `${"0".repeat(201)}-`]) expect(keyOfObjectName(bad)).toBeUndefined();
  });

  it.each(["", "a", "ab", "x".repeat(125), "日", "user:"])("a prefix range %j holds exactly the keys starting with it", (prefix) => {
    const { s3Prefix, startAfter } = prefixRange(prefix);
    const keys = [...samples, "user:1", "user:2", "users", "usa", "日本", "日"].sort(byteOrder);
    const listed = keys.map(objectName).filter((n) => n.startsWith(s3Prefix) && n > startAfter);
    const matching = keys.filter((k) => k.startsWith(prefix)).map(objectName);
    // the matching names are the first ones listed, contiguous
    expect(listed.slice(0, matching.length)).toEqual(matching);
    if (listed.length > matching.length) expect(keyOfObjectName(listed[matching.length]!)!.startsWith(prefix)).toBe(false);
  });

  it("turns cursors back into object names and refuses forged ones", () => {
    const name = objectName("hello");
    expect(nameOfCursor(cursorOf(name))).toBe(name);
    expect(nameOfCursor(Buffer.from("../../other/v/AB-").toString("base64url"))).toBeUndefined();
    expect(nameOfCursor("not a cursor!")).toBeUndefined();
  });
});
