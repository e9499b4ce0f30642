import type { Binding, Module } from "@fireworkers/crd-types";
import { checkVersion } from "@fireworkers/workerd-config";
import { Invalid } from "../domain/errors.ts";

/**
 * Refuses (Invalid) a version no build could render: an upload the API accepted but the job-builder
 * refuses would make every later build of the whole account fail, while wrangler reported success.
 */
export function assertRenderable(
  scriptName: string,
  version: { versionId: string; mainModule: string; modules: Module[]; bindings?: Binding[]; compatibilityDate?: string; compatibilityFlags?: string[] },
): void {
  try {
    checkVersion(scriptName, version);
  } catch (err) {
    throw new Invalid((err as Error).message.replace(/^\S+ version \S+: /, ""), "metadata");
  }
}
