import { describe, expect, it } from "vitest";
import { appEntrypoint, isPackageFile, isRuntimeSource } from "./app-files.ts";

describe("app image contents", () => {
  it("ships sources and manifests, not tests", () => {
    expect(["package.json", "src", "src/main.ts", "src/runtime/router.mjs"].every(isRuntimeSource)).toBe(true);
    expect(["src/main.test.ts", "src/x.int.test.ts", "src/test/base.ts", "testdata/a.capnp", "project.json", "node_modules/x"].some(isRuntimeSource)).toBe(false);
  });

  it("ships dependency packages without their .bin links, type declarations and source maps", () => {
    expect(["dist/index.js", "dist/index.mjs", "package.json", "dist/gen/models/V1Pod.js", "lib/map.js", "dist/types.d.js"].every(isPackageFile)).toBe(true);
    expect(["node_modules/.bin/x", "dist/index.d.ts", "dist/index.d.mts", "dist/index.d.cts", "dist/index.js.map"].some(isPackageFile)).toBe(false);
  });

  it("runs the app's main.ts with Node", () => {
    expect(appEntrypoint("apps/operator")).toEqual(["/usr/local/bin/node", "/app/apps/operator/src/main.ts"]);
  });
});
