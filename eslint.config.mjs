import js from "@eslint/js";
import nx from "@nx/eslint-plugin";
import tseslint from "typescript-eslint";

// Which project may import which, by the tags in each project.json. Product (what ships: apps/, libs/) and
// tooling (what builds and tests the repository: tools/) are kept apart:
//   type:app  -> type:lib                        (apps never import apps)
//   type:lib  -> type:lib
//   type:tool -> type:lib, type:tool, type:test  (tools/: images, the local cluster, `make up`, the edge proxy)
//   type:test -> type:lib, type:tool, type:test  (tools/testenv, tools/e2e)
// Product code never imports a tool or test project; only test files (*.test.ts, test/, bench/) may, so
// neither the test environment nor the repository's tooling can leak into what ships.
//   scope:X    -> scope:X and scope:shared (product scopes: api, operator, gateway, builder, shared)
//   scope:tool, scope:test -> any scope (tooling builds and tests every part of the product)
const testFiles = ["**/*.test.ts", "**/test/**/*.ts", "**/*.test-helpers.ts", "bench/**/*.ts", "vitest.config.ts"];

const PRODUCT_SCOPES = ["scope:api", "scope:operator", "scope:gateway", "scope:builder", "scope:shared"];
const TOOLING_SCOPES = ["scope:tool", "scope:test"];

const boundaries = (testCode) => {
  const tooling = testCode ? ["type:tool", "type:test"] : [];
  const toolingScopes = testCode ? TOOLING_SCOPES : [];
  return [
    "error",
    {
      enforceBuildableLibDependency: false,
      allow: [],
      depConstraints: [
        { sourceTag: "type:app", onlyDependOnLibsWithTags: ["type:lib", ...tooling] },
        { sourceTag: "type:lib", onlyDependOnLibsWithTags: ["type:lib", ...tooling] },
        { sourceTag: "type:tool", onlyDependOnLibsWithTags: ["type:lib", "type:tool", "type:test"] },
        { sourceTag: "type:test", onlyDependOnLibsWithTags: ["type:lib", "type:tool", "type:test"] },
        { sourceTag: "scope:api", onlyDependOnLibsWithTags: ["scope:api", "scope:shared", ...toolingScopes] },
        { sourceTag: "scope:operator", onlyDependOnLibsWithTags: ["scope:operator", "scope:shared", ...toolingScopes] },
        { sourceTag: "scope:gateway", onlyDependOnLibsWithTags: ["scope:gateway", "scope:shared", ...toolingScopes] },
        { sourceTag: "scope:builder", onlyDependOnLibsWithTags: ["scope:builder", "scope:shared", ...toolingScopes] },
        { sourceTag: "scope:shared", onlyDependOnLibsWithTags: ["scope:shared", ...toolingScopes] },
        { sourceTag: "scope:tool", onlyDependOnLibsWithTags: [...PRODUCT_SCOPES, ...TOOLING_SCOPES] },
        { sourceTag: "scope:test", onlyDependOnLibsWithTags: [...PRODUCT_SCOPES, ...TOOLING_SCOPES] },
      ],
    },
  ];
};

export default tseslint.config(
  { ignores: ["**/node_modules/**", "**/dist/**", "**/.nx/**", "**/testdata/**", "**/fixtures/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { "@nx": nx },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  { files: ["**/*.ts"], ignores: testFiles, rules: { "@nx/enforce-module-boundaries": boundaries(false) } },
  {
    files: testFiles,
    // Tests read apiserver and kubectl JSON whose shape the assertions themselves check.
    rules: { "@nx/enforce-module-boundaries": boundaries(true), "@typescript-eslint/no-explicit-any": "off" },
  },
);
