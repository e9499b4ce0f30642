import { defineConfig } from "vitest/config";

// Two projects: `unit` (pure logic, no processes) and `integration` (*.int.test.ts, against the real
// components that libs/testenv starts once per run).
export default defineConfig({
  test: {
    reporters: ["default"],
    projects: [
      {
        test: {
          name: "unit",
          include: ["{apps,libs}/*/src/**/*.test.ts", "tools/**/*.test.ts"],
          exclude: ["**/*.int.test.ts", "**/node_modules/**"],
        },
      },
      {
        test: {
          name: "integration",
          include: ["{apps,libs}/*/src/**/*.int.test.ts"],
          globalSetup: ["libs/testenv/src/vitest-global-setup.ts"],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // The machine has 2 cores and the components share them.
          maxWorkers: 2,
        },
      },
    ],
  },
});
