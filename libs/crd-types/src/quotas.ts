// Account quotas: Cloudflare's limits (Workers Paid) as defaults, overridable per account on
// WorkerAccount.spec.quotas. Pure, shared by the API (which enforces them) and anything else that needs
// the effective numbers. `scriptSizeMiB` and `versionsKept` default to the API's own settings
// (MAX_SCRIPT_MIB, VERSION_HISTORY), passed in as `platform`.
import type { AccountQuotas, WorkerAccount } from "./kinds/worker-account.ts";

export type Quota = keyof AccountQuotas;
export type EffectiveQuotas = Required<AccountQuotas>;

/** Cloudflare's published limits for a paid Workers account. */
export const CLOUDFLARE_QUOTAS: EffectiveQuotas = {
  scripts: 500,
  scriptSizeMiB: 64,
  versionsKept: 100,
  // Environment variables (secrets included) per Worker.
  secretsPerScript: 128,
  kvNamespaces: 1000,
  r2Buckets: 1_000_000,
};

/** The limits in force for an account: its own, else the platform's, else Cloudflare's. */
export function accountQuotas(account: Pick<WorkerAccount, "spec"> | undefined, platform: Partial<EffectiveQuotas> = {}): EffectiveQuotas {
  const own = account?.spec.quotas ?? {};
  const out = { ...CLOUDFLARE_QUOTAS };
  for (const key of Object.keys(out) as Quota[]) out[key] = own[key] ?? platform[key] ?? CLOUDFLARE_QUOTAS[key];
  return out;
}
