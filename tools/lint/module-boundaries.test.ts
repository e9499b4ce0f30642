// Proves the Nx module-boundary rule is enforced by `npm run lint`, not merely configured.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { ESLint } from "eslint";
import { beforeAll, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "../..");
const eslint = new ESLint({ cwd: root });

async function boundaryErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, file) });
  return result!.messages.filter((m) => m.ruleId === "@nx/enforce-module-boundaries").map((m) => m.message);
}

describe("module boundaries", () => {
  // The rule reads Nx's cached project graph; `npm run lint` computes it the same way first.
  beforeAll(() => execFileSync(join(root, "node_modules/.bin/nx"), ["show", "projects"], { cwd: root }), 60_000);

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
});
