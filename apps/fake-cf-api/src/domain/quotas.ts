// The one quota check every route calls before it writes: the account's effective limits
// (WorkerAccount.spec.quotas, else the platform's, else Cloudflare's: libs/crd-types quotas.ts) and the
// message and code Cloudflare answers with. KV namespaces and R2 buckets call it the same way:
//   assertQuota(quotasOf(req.account, ctx.config), "kvNamespaces", existingCount + 1)
import { accountQuotas, type EffectiveQuotas, type Quota, type WorkerAccount } from "@fireworkers/crd-types";
import type { ApiConfig } from "../config.ts";
import { QuotaExceeded } from "./errors.ts";

/** The account's limits, with the API's own settings as the platform defaults. */
export function quotasOf(account: Pick<WorkerAccount, "spec"> | undefined, config: Pick<ApiConfig, "limits" | "versionHistory">): EffectiveQuotas {
  return accountQuotas(account, { scriptSizeMiB: Math.floor(config.limits.maxScriptBytes / (1 << 20)), versionsKept: config.versionHistory });
}

/** What each count-quota is called in the message (Cloudflare's words). */
const NOUNS: Record<Exclude<Quota, "scriptSizeMiB" | "versionsKept">, string> = {
  scripts: "Workers on your account",
  secretsPerScript: "secrets (environment variables) on this Worker",
  kvNamespaces: "KV namespaces on your account",
  r2Buckets: "R2 buckets on your account",
};

/** Throws QuotaExceeded when `wouldHave` (the count after the request) is beyond the account's limit. */
export function assertQuota(quotas: EffectiveQuotas, quota: keyof typeof NOUNS, wouldHave: number): void {
  const limit = quotas[quota];
  if (wouldHave > limit) throw new QuotaExceeded(quota, limit, `You have exceeded the limit of ${limit} ${NOUNS[quota]}.`);
}
