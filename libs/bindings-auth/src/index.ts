// The credential a bundle pod presents to the bindings gateway: scoped to one account, derived from
// the platform's gateway key (HMAC-SHA256), so the gateway verifies it with no lookup and needs no
// read access to Secrets. The operator mints one per account into a Secret; the bundle pod gets it in
// its environment (workerd `fromEnvironment`), never in the image, S3 or a log.
//
//   fwb1.<account id>.<base64url(HMAC-SHA256(key, "fireworkers-bindings/v1\n" + account id))>
//
// Revoking one account's credential means rotating the key (every account's changes); deleting an
// account deletes its namespaces, so an old credential of a deleted account reaches nothing.
import { createHmac, timingSafeEqual } from "node:crypto";

const VERSION = "fwb1";
const ACCOUNT = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const TOKEN = /^fwb1\.([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)\.([A-Za-z0-9_-]{43})$/;

/** The env var of the bundle pods that carries their account's credential. */
export const BINDINGS_CREDENTIAL_ENV = "FIREWORKERS_BINDINGS_CREDENTIAL";
/** The key of the per-account Secret holding the credential. */
export const BINDINGS_CREDENTIAL_SECRET_KEY = "credential";
/** The per-account Secret the operator writes (owned by the WorkerAccount). */
export const bindingsCredentialSecretName = (accountId: string) => `bindings-credential.${accountId}`;

/** The gateway key must carry at least 256 bits. */
export function checkGatewayKey(key: string): Buffer {
  const bytes = Buffer.from(key, "utf8");
  if (bytes.length < 32) throw new Error("the bindings gateway key must be at least 32 bytes");
  return bytes;
}

function mac(key: Buffer, accountId: string): Buffer {
  return createHmac("sha256", key).update(`fireworkers-bindings/v1\n${accountId}`).digest();
}

export function mintCredential(key: Buffer, accountId: string): string {
  if (!ACCOUNT.test(accountId)) throw new Error(`invalid account id ${JSON.stringify(accountId)}`);
  return `${VERSION}.${accountId}.${mac(key, accountId).toString("base64url")}`;
}

/** The account a credential was minted for, or undefined when it is not one of ours. */
export function verifyCredential(key: Buffer, token: string | undefined): string | undefined {
  const m = token ? TOKEN.exec(token) : null;
  if (!m) return undefined;
  const account = m[1]!;
  const given = Buffer.from(m[3]!, "base64url");
  const expected = mac(key, account);
  return given.length === expected.length && timingSafeEqual(given, expected) ? account : undefined;
}
