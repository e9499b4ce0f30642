// Vitest global setup of the integration project: one real environment for the whole run.
import type { TestProject } from "vitest/node";
import { startEnvironment, type TestEnvInfo } from "./environment.ts";

declare module "vitest" {
  export interface ProvidedContext {
    env: TestEnvInfo;
  }
}

export default async function setup(project: TestProject) {
  const started = Date.now();
  const env = await startEnvironment({ keep: process.env.FIREWORKERS_KEEP_ENV === "1" });
  console.log(`[testenv] up in ${Date.now() - started} ms; logs in ${env.info.logDir}`);
  project.provide("env", env.info);
  return () => env.stop();
}
