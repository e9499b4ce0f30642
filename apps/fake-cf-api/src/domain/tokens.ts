// API tokens (pure part): the token is random, shown once, and only its sha256 is stored, in a Kubernetes
// Secret whose name derives from that hash so that authenticating a request is a single GET.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

export const TOKEN_SECRET_TYPE = "api.cf-worker/token";
const PREFIX = "fwk_";

export interface TokenRecord {
  id: string;
  name: string;
  email: string;
  accounts: string[];
}

/** A new token: `fwk_` + 43 base64url characters (Latin-1 safe, as wrangler requires). */
export const newToken = () => `${PREFIX}${randomBytes(32).toString("base64url")}`;

export const tokenHash = (token: string) => createHash("sha256").update(token, "utf8").digest("hex");

export const tokenSecretName = (hash: string) => `api-token.${hash}`;

/** Compares a stored hash with the hash of a presented token in constant time. */
export function hashMatches(storedHex: string, presentedHex: string): boolean {
  const a = Buffer.from(storedHex, "hex");
  const b = Buffer.from(presentedHex, "hex");
  return a.length === 32 && b.length === 32 && timingSafeEqual(a, b);
}

/** The bearer token of an Authorization header, if it has that shape. */
export function bearer(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S{1,512})\s*$/i.exec(header ?? "");
  return m?.[1];
}

export const encodeTokenData = (hash: string, t: TokenRecord): Record<string, string> => ({
  sha256: hash,
  id: t.id,
  name: t.name,
  email: t.email,
  accounts: t.accounts.join(","),
});

export function decodeTokenData(data: Record<string, string>): (TokenRecord & { sha256: string }) | undefined {
  const text = (k: string) => (data[k] === undefined ? undefined : Buffer.from(data[k]!, "base64").toString("utf8"));
  const sha256 = text("sha256");
  const accounts = text("accounts");
  if (!sha256 || accounts === undefined) return undefined;
  return {
    sha256,
    id: text("id") ?? "",
    name: text("name") ?? "",
    email: text("email") ?? "",
    accounts: accounts.split(",").filter(Boolean),
  };
}
