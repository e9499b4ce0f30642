import { describe, expect, it } from "vitest";
import { accountQuotas, CLOUDFLARE_QUOTAS } from "./quotas.ts";

describe("accountQuotas", () => {
  it("takes the account's own limits first, then the platform's, then Cloudflare's", () => {
    const q = accountQuotas({ spec: { workerBundleName: "a", quotas: { scripts: 3, versionsKept: 5 } } }, { versionsKept: 50, scriptSizeMiB: 10 });
    expect(q).toEqual({ ...CLOUDFLARE_QUOTAS, scripts: 3, versionsKept: 5, scriptSizeMiB: 10 });
  });

  it("is Cloudflare's limits with no account and no platform settings", () => {
    expect(accountQuotas(undefined)).toEqual(CLOUDFLARE_QUOTAS);
    expect(CLOUDFLARE_QUOTAS.scripts).toBe(500);
  });

  it("keeps an explicit zero (an account that may create none)", () => {
    expect(accountQuotas({ spec: { workerBundleName: "a", quotas: { kvNamespaces: 0 } } }).kvNamespaces).toBe(0);
  });
});
