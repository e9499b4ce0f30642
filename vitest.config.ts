import { defineConfig } from "vitest/config";

// Two projects: `unit` (pure logic, no processes) and `integration` (*.int.test.ts, against the real
// components that tools/testenv starts once per run). A third, `e2e` (*.e2e.test.ts, on the single-node
// cluster of tools/cluster), exists only with FIREWORKERS_E2E=1 (`make e2e`), so `vitest run` stays fast.
const e2e = process.env.FIREWORKERS_E2E === "1";

export default defineConfig({
  test: {
    reporters: ["default"],
    projects: [
      {
        test: {
          name: "unit",
          include: ["{apps,libs,tools}/*/src/**/*.test.ts", "tools/lint/**/*.test.ts"],
          exclude: ["**/*.int.test.ts", "**/*.e2e.test.ts", "**/node_modules/**"],
        },
      },
      {
        test: {
          name: "integration",
          include: ["{apps,libs,tools}/*/src/**/*.int.test.ts"],
          globalSetup: ["tools/testenv/src/vitest-global-setup.ts"],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // The machine has 2 cores and the components share them.
          maxWorkers: 2,
        },
      },
      ...(e2e
        ? [
            {
              test: {
                name: "e2e",
                include: ["{apps,libs,tools}/*/src/**/*.e2e.test.ts"],
                globalSetup: ["tools/cluster/src/vitest-global-setup.ts"],
                testTimeout: 300_000,
                hookTimeout: 600_000,
                maxWorkers: 1,
              },
            },
          ]
        : []),
    ],
  },
});
