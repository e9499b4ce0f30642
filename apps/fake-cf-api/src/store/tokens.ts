// API tokens in Kubernetes: a Secret of type api.cf-worker/token per token, named from the token's sha256.
import { randomBytes } from "node:crypto";
import { LABELS } from "@fireworkers/crd-types";
import {
  decodeTokenData,
  encodeTokenData,
  hashMatches,
  newToken,
  tokenHash,
  tokenSecretName,
  TOKEN_SECRET_TYPE,
  type TokenRecord,
} from "../domain/tokens.ts";
import { KINDS } from "@fireworkers/kube";
import type { Kube } from "./kube.ts";

export class Tokens {
  private readonly kube: Kube;
  constructor(kube: Kube) {
    this.kube = kube;
  }

  /** The token's record, or undefined when the token is unknown. One GET, whatever the number of tokens. */
  async find(token: string): Promise<TokenRecord | undefined> {
    const hash = tokenHash(token);
    const secret = await this.kube.get(KINDS.Secret, tokenSecretName(hash));
    if (!secret || secret.type !== TOKEN_SECRET_TYPE || secret.metadata?.deletionTimestamp) return undefined;
    const record = decodeTokenData(secret.data ?? {});
    return record && hashMatches(record.sha256, hash) ? record : undefined;
  }

  /** Issues a token for the accounts; returns the token itself, which is not stored anywhere. */
  async issue(options: { accounts: string[]; name?: string; email?: string }): Promise<{ token: string; record: TokenRecord }> {
    const token = newToken();
    const hash = tokenHash(token);
    const record: TokenRecord = {
      id: randomBytes(16).toString("hex"),
      name: options.name ?? "wrangler",
      email: options.email ?? `${options.name ?? "wrangler"}@fireworkers.local`,
      accounts: options.accounts,
    };
    await this.kube.create(KINDS.Secret, {
      type: TOKEN_SECRET_TYPE,
      metadata: {
        name: tokenSecretName(hash),
        labels: { [LABELS.managedBy]: "fake-cf-api", "api.cf-worker/token-id": record.id },
      },
      stringData: encodeTokenData(hash, record),
    });
    return { token, record };
  }

  async revoke(token: string): Promise<boolean> {
    return this.kube.delete(KINDS.Secret, tokenSecretName(tokenHash(token)));
  }
}
