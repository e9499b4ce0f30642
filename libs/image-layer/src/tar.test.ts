import { describe, expect, it } from "vitest";
import { createLayer } from "./layer.ts";
import { createTar } from "./tar.ts";
import { readTar } from "./test/read-tar.ts";

const entries = () => [
  { path: "worker/config.capnp", type: "file" as const, content: Buffer.from("config") },
  { path: "worker/scripts/a/index.js", type: "file" as const, content: Buffer.from("x".repeat(700)) },
  { path: "usr/local/bin/workerd", type: "file" as const, content: Buffer.from("bin"), mode: 0o755 },
  { path: "lib64/ld-linux-x86-64.so.2", type: "symlink" as const, linkTarget: "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" },
  { path: "tmp", type: "dir" as const, mode: 0o1777 },
];

describe("createTar", () => {
  it("writes sorted entries with their parents, root-owned, at mtime 0", () => {
    const read = readTar(createTar(entries()));
    expect(read.map((e) => `${e.type} ${e.path}`)).toEqual([
      "5 lib64",
      "2 lib64/ld-linux-x86-64.so.2",
      "5 tmp",
      "5 usr",
      "5 usr/local",
      "5 usr/local/bin",
      "0 usr/local/bin/workerd",
      "5 worker",
      "0 worker/config.capnp",
      "5 worker/scripts",
      "5 worker/scripts/a",
      "0 worker/scripts/a/index.js",
    ]);
    expect(read.every((e) => e.uid === 0 && e.gid === 0 && e.mtime === 0)).toBe(true);
    const byPath = Object.fromEntries(read.map((e) => [e.path, e]));
    expect(byPath["tmp"]!.mode).toBe(0o1777);
    expect(byPath["usr/local/bin/workerd"]!.mode).toBe(0o755);
    expect(byPath["worker/config.capnp"]!.mode).toBe(0o644);
    expect(byPath["worker/scripts/a/index.js"]!.content.toString()).toBe("x".repeat(700));
    expect(byPath["lib64/ld-linux-x86-64.so.2"]!.linkTarget).toBe("/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2");
  });

  it("keeps long paths (ustar prefix, then pax)", () => {
    const medium = `worker/scripts/${"s".repeat(63)}/11111111-1111-4111-8111-111111111111/${"m".repeat(60)}.js`;
    const long = `worker/${"d".repeat(120)}/${"m".repeat(200)}.js`;
    const read = readTar(createTar([{ path: medium, type: "file", content: Buffer.from("1") }, { path: long, type: "file", content: Buffer.from("2") }]));
    expect(read.find((e) => e.path === medium)?.content.toString()).toBe("1");
    expect(read.find((e) => e.path === long)?.content.toString()).toBe("2");
  });

  it("refuses paths that could escape the root, and duplicates", () => {
    expect(() => createTar([{ path: "a/../../etc/passwd", type: "file" }])).toThrow(/invalid tar path/);
    expect(() => createTar([{ path: "a", type: "file" }, { path: "/a/", type: "file" }])).toThrow(/twice/);
    expect(() => createTar([{ path: "a", type: "file" }, { path: "a/b", type: "file" }])).toThrow(/both a directory/);
  });
});

describe("createLayer", () => {
  it("gives identical bytes and digests for identical inputs, in any order", () => {
    const a = createLayer(entries());
    const b = createLayer([...entries()].reverse());
    expect(b.digest).toBe(a.digest);
    expect(b.bytes).toEqual(a.bytes);
    expect(a.diffId).not.toBe(a.digest);
    expect(createLayer([...entries(), { path: "x", type: "file", content: Buffer.from("") }]).digest).not.toBe(a.digest);
  });
});
