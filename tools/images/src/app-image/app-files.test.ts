import { describe, expect, it } from "vitest";
import { appEntrypoint, isPackageFile, isRuntimeSource } from "./app-files.ts";

describe("app image contents", () => {
  it("ships sources and manifests, not tests", () => {
    expect(["package.json", "src", "src/main.ts", "src/runtime/router.mjs"].every(isRuntimeSource)).toBe(true);
    expect(["src/main.test.ts", "src/x.int.test.ts", "src/test/base.ts", "testdata/a.capnp", "project.json", "node_modules/x"].some(isRuntimeSource)).toBe(false);
  });

  it("ships dependency packages without their .bin links", () => {
    expect(isPackageFile("dist/index.js")).toBe(true);
    expect(isPackageFile("node_modules/.bin/x")).toBe(false);
  });

  it("runs the app's main.ts with Node", () => {
    expect(appEntrypoint("apps/operator")).toEqual(["/usr/local/bin/node", "/app/apps/operator/src/main.ts"]);
  });
});
