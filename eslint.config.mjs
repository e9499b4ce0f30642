import js from "@eslint/js";
import nx from "@nx/eslint-plugin";
import tseslint from "typescript-eslint";

// Which project may import which, by the tags in each project.json:
//   type:app  -> type:lib        (apps never import apps)
//   type:lib  -> type:lib
//   type:test -> type:lib, type:test; and only test files (*.test.ts, test/) may import a type:test project,
//                so the test environment can never leak into runtime code
//   scope:X   -> scope:X and scope:shared
const testFiles = ["**/*.test.ts", "**/test/**/*.ts", "**/*.test-helpers.ts", "bench/**/*.ts", "vitest.config.ts"];

const boundaries = (testCode) => {
  const test = testCode ? ["type:test"] : [];
  const testScope = testCode ? ["scope:test"] : [];
  return [
    "error",
    {
      enforceBuildableLibDependency: false,
      allow: [],
      depConstraints: [
        { sourceTag: "type:app", onlyDependOnLibsWithTags: ["type:lib", ...test] },
        { sourceTag: "type:lib", onlyDependOnLibsWithTags: ["type:lib", ...test] },
        { sourceTag: "type:test", onlyDependOnLibsWithTags: ["type:lib", "type:test"] },
        { sourceTag: "scope:api", onlyDependOnLibsWithTags: ["scope:api", "scope:shared", ...testScope] },
        { sourceTag: "scope:operator", onlyDependOnLibsWithTags: ["scope:operator", "scope:shared", ...testScope] },
        { sourceTag: "scope:gateway", onlyDependOnLibsWithTags: ["scope:gateway", "scope:shared", ...testScope] },
        { sourceTag: "scope:builder", onlyDependOnLibsWithTags: ["scope:builder", "scope:shared", ...testScope] },
        { sourceTag: "scope:shared", onlyDependOnLibsWithTags: ["scope:shared", ...testScope] },
        { sourceTag: "scope:test", onlyDependOnLibsWithTags: ["scope:shared", "scope:test"] },
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
