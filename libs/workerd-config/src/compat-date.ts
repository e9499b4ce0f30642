import { checkDate } from "./validate.ts";

/** `workerd --version` of the binary pinned in package-lock.json prints this date; an integration test
 * checks they agree. workerd refuses newer dates ("newest date supported by this server binary"). */
export const WORKERD_MAX_COMPAT_DATE = "2026-11-17";

/** What Cloudflare assumes when an upload has no date: the oldest behaviour. */
export const DEFAULT_COMPAT_DATE = "2021-11-03";

/** The date to put in the config, and a warning when it differs from what the upload asked for. */
export function clampCompatDate(requested: string | undefined, max: string): { date: string; warning?: string } {
  if (requested === undefined || requested === "") {
    return { date: DEFAULT_COMPAT_DATE, warning: `no compatibility date: using ${DEFAULT_COMPAT_DATE}` };
  }
  checkDate(requested);
  // YYYY-MM-DD strings order like the dates they name.
  if (requested > max) {
    return { date: max, warning: `compatibility date ${requested} is newer than the runtime supports: clamped to ${max}` };
  }
  return { date: requested };
}
