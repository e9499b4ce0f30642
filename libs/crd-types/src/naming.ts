// Names and env vars that the API, the operator and the job-builder must agree on.

/** Cloudflare secret names become env var names and Secret keys: keep them to that shape. */
// __proto__ is refused: as an object key it would set the prototype instead of a property.
export const SECRET_NAME = /^(?!__proto__$)[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** The Secret holding a script's secrets (keys = secret names). Dots cannot occur in account or script
 * names, so the name is unambiguous. */
export const scriptSecretName = (accountId: string, scriptName: string) => `worker-secrets.${accountId}.${scriptName}`;

/**
 * Prefix of the env vars that carry a script's secrets into the bundle pods (Deployment envFrom.prefix).
 * Length-prefixed so no two (script, secret) pairs of a bundle share a name: script `a` + secret `B__X`
 * gives S1_A_B__X, script `a--b` + secret `X` gives S4_A__B_X.
 */
export const secretEnvPrefix = (scriptName: string) => `S${scriptName.length}_${scriptName.toUpperCase().replaceAll("-", "_")}_`;

/** The env var workerd reads a secret binding from (`fromEnvironment`). */
export const secretEnvName = (scriptName: string, secretName: string) => `${secretEnvPrefix(scriptName)}${secretName}`;


/** Set by the API on every WorkerVersion; the operator deletes the version's S3 objects, then removes it. */
export const S3_FINALIZER = "api.cf-worker/s3-objects";
