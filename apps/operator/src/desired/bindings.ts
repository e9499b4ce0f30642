// What the operator makes for the bindings gateway (pure): the per-account credential Secret the account's
// bundle pods read (FIREWORKERS_BINDINGS_CREDENTIAL), derived from the one gateway key.
import { randomBytes } from "node:crypto";
import type { Secret } from "@fireworkers/kube";
import { BINDINGS_CREDENTIAL_SECRET_KEY, bindingsCredentialSecretName, mintCredential } from "@fireworkers/bindings-auth";
import type { WorkerAccount } from "@fireworkers/crd-types";
import { controllerRef, managedLabels } from "./common.ts";

/** The one Secret with the HMAC key of every account's credential; the gateway reads it from its environment. */
export const GATEWAY_KEY_SECRET = "fireworkers-bindings-gateway-key";
export const GATEWAY_KEY_FIELD = "key";
/** Label value of the credential Secrets (the operator's informer selects them, and only them). */
export const CREDENTIAL_COMPONENT = "bindings-credential";
export const CREDENTIAL_SELECTOR = `app.kubernetes.io/component=${CREDENTIAL_COMPONENT}`;

/** A new gateway key (created once if absent, never replaced: every credential derives from it). */
export function newGatewayKeySecret(): Secret {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: GATEWAY_KEY_SECRET, labels: { "app.kubernetes.io/part-of": "fireworkers", "app.kubernetes.io/component": "bindings-gateway-key" } },
    type: "Opaque",
    data: { [GATEWAY_KEY_FIELD]: Buffer.from(randomBytes(32).toString("base64url")).toString("base64") },
  };
}

/** The key in a gateway key Secret, or undefined when it has none. */
export function gatewayKeyOf(secret: Secret | undefined): Buffer | undefined {
  const data = secret?.data?.[GATEWAY_KEY_FIELD];
  return data ? Buffer.from(data, "base64") : undefined;
}

/** The account's credential Secret, owned by its WorkerAccount (deleted with it). */
export function credentialSecret(account: WorkerAccount, key: Buffer): Secret {
  const accountId = account.metadata.name;
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: bindingsCredentialSecretName(accountId),
      labels: { ...managedLabels(accountId), "app.kubernetes.io/component": CREDENTIAL_COMPONENT },
      ownerReferences: [controllerRef(account)],
    },
    type: "Opaque",
    data: { [BINDINGS_CREDENTIAL_SECRET_KEY]: Buffer.from(mintCredential(key, accountId)).toString("base64") },
  };
}
