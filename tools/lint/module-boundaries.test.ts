// Proves the Nx module-boundary rules are enforced by `make lint`, not merely configured: the product
// (apps/, libs/) never imports the tooling (tools/), and every project is tagged for the side it is on.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ESLint } from "eslint";
import { beforeAll, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "../..");
const eslint = new ESLint({ cwd: root });
const nx = join(root, "node_modules/.bin/nx");

async function boundaryErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, file) });
  return result!.messages.filter((m) => m.ruleId === "@nx/enforce-module-boundaries").map((m) => m.message);
}

// The first lint loads the TypeScript parser and the project graph: seconds on a busy machine.
describe("module boundaries", { timeout: 60_000 }, () => {
  // The rule reads Nx's cached project graph; `make lint` computes it the same way first.
  beforeAll(() => execFileSync(nx, ["show", "projects"], { cwd: root }), 60_000);

  it("forbid runtime code of a lib to import the test environment", async () => {
    const errors = await boundaryErrors("libs/crd-types/src/violation.ts", 'import { startEnvironment } from "@fireworkers/testenv";\nexport const x = startEnvironment;\n');
    expect(errors.join("\n")).toMatch(/type:test|tagged with/);
  });

  it("let test files import the test environment", async () => {
    expect(await boundaryErrors("libs/crd-types/src/ok.int.test.ts", 'import { startEnvironment } from "@fireworkers/testenv";\nexport const x = startEnvironment;\n')).toEqual([]);
  });

  it("forbid an app to import another app", async () => {
    const errors = await boundaryErrors("apps/operator/src/violation.ts", 'import { buildApp } from "../../fake-cf-api/src/app.ts";\nexport const x = buildApp;\n');
    expect(errors.length).toBeGreaterThan(0);
  });

  it("let an app import a shared lib", async () => {
    expect(await boundaryErrors("apps/operator/src/ok.ts", 'import { KINDS } from "@fireworkers/crd-types";\nexport const x = KINDS;\n')).toEqual([]);
  });

  it("forbid product code (an app, a lib) to import a tooling project", async () => {
    const images = 'import { buildBaseImage } from "@fireworkers/images";\nexport const x = buildBaseImage;\n';
    const cluster = 'import { readPlatform } from "@fireworkers/cluster";\nexport const x = readPlatform;\n';
    // (A lib that a tool itself imports would be reported as a cycle first: these are not.)
    for (const [file, code] of [
      ["apps/job-builder/src/violation.ts", images],
      ["apps/operator/src/violation.ts", cluster],
      ["libs/observability/src/violation.ts", cluster],
      ["libs/crd-types/src/violation.ts", cluster],
    ] as const) {
      // The type rule says it: apps and libs depend on type:lib only, so never on type:tool.
      expect((await boundaryErrors(file, code)).join("\n"), file).toMatch(/tagged with "type:(app|lib)" can only depend on libs tagged with "type:lib"/);
    }
  });

  it("let a tool import product libs of any scope, and the test environment", async () => {
    const code = [
      'import { createLayer } from "@fireworkers/image-layer";', // scope:builder
      'import { pushImage } from "@fireworkers/oci-registry";', // scope:shared
      'import { goBinary } from "@fireworkers/testenv";',
      "export const x = [createLayer, pushImage, goBinary];",
    ].join("\n");
    expect(await boundaryErrors("tools/images/src/ok.ts", code)).toEqual([]);
    expect(await boundaryErrors("tools/cluster/src/ok.ts", code)).toEqual([]);
  });

  it("tag every project by where it lives: apps/ type:app, libs/ type:lib, tools/ type:tool or type:test", () => {
    const roots = ["apps", "libs", "tools"].flatMap((dir) =>
      readdirSync(join(root, dir)).filter((d) => existsSync(join(root, dir, d, "project.json"))).map((d) => `${dir}/${d}`),
    );
    // Every Nx project has its project.json there, so none escapes the check.
    const projects = JSON.parse(execFileSync(nx, ["show", "projects", "--json"], { cwd: root, encoding: "utf8" })) as string[];
    expect(roots.length).toBe(projects.length);
    for (const dir of roots) {
      const tags = (JSON.parse(readFileSync(join(root, dir, "project.json"), "utf8")) as { tags: string[] }).tags;
      const types = tags.filter((t) => t.startsWith("type:"));
      const allowed = dir.startsWith("apps/") ? ["type:app"] : dir.startsWith("libs/") ? ["type:lib"] : ["type:tool", "type:test"];
      expect(types.length, dir).toBe(1);
      expect(allowed, `${dir}: ${types[0]}`).toContain(types[0]);
    }
  });
});
