// Cloudflare's error envelope and the error codes wrangler reacts to (shared/reference/wrangler-api.md §6).
// Every failure the API answers is an ApiError; anything else becomes a 500 with code 10013.

export interface CfError {
  code: number;
  message: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly errors: CfError[];
  constructor(status: number, errors: CfError[]) {
    super(errors.map((e) => `${e.message} [code: ${e.code}]`).join("; "));
    this.name = "ApiError";
    this.status = status;
    this.errors = errors;
  }
}

const one = (status: number, code: number, message: string) => new ApiError(status, [{ code, message }]);

/** wrangler prints these, then runs whoami (10000 and 9106 are its "authentication error" codes). */
export const unauthenticated = () => one(401, 10000, "Authentication error");
export const forbidden = () => one(403, 10000, "Authentication error");

export const noRoute = () => one(404, 7003, "No route for that URI");
export const accountNotFound = (accountId: string) =>
  one(404, 7003, `Could not route to /accounts/${accountId}, perhaps your object identifier is invalid?`);

/** 10021 is Cloudflare's "invalid script / validation" code. The message names the offending field.
 * (wrangler treats a 10021 message containing "startup" as a startup-limit failure: never use that word.) */
export const invalid = (message: string) => one(400, 10021, message);

/** The two "does not exist" answers wrangler's existence checks need: 10007 on scripts, 10090 on services. */
export const workerNotFound = () => one(404, 10007, "This Worker does not exist on your account.");
export const serviceNotFound = () => one(404, 10090, "workers.api.error.service_not_found");
export const versionNotFound = (versionId: string) => one(404, 10222, `workers.api.error.version_not_found: ${versionId}`);
export const secretNotFound = (name: string) => one(404, 10056, `workers.api.error.secret_not_found: ${name}`);

export const tooLarge = (limitBytes: number) =>
  one(413, 10027, `Your Worker exceeded the size limit of ${(limitBytes / (1 << 20)).toFixed(0)} MiB.`);
export const tooManyModules = (limit: number) => one(400, 10027, `Your Worker has more than ${limit} modules.`);

/** One error per unresolved name: wrangler matches each message against /inherit binding '(.*)' is invalid/. */
export const inheritInvalid = (names: string[]) =>
  new ApiError(
    400,
    names.map((name) => ({ code: 10057, message: `inherit binding '${name}' is invalid` })),
  );

export const secretEditFailed = () =>
  one(400, 10215, "Secret edit failed: the latest version of this Worker is not the one deployed at 100%.");

/** wrangler parses the names after "The following secrets have changed:" and retries with ?force=true. */
export const secretsChanged = (names: string[]) => one(400, 10220, `The following secrets have changed: ${names.join(", ")}`);

export const internal = () => one(500, 10013, "An internal error occurred; the request changed nothing. Please retry.");
/** Kubernetes refused the API's own service account (401/403): permanent until someone fixes its RBAC, so
 * not 503/10013 "retry". The details (verb, resource) go to the log only. */
export const kubeForbidden = () =>
  one(500, 10002, "The API is not permitted to make this change in Kubernetes (RBAC); the request changed nothing. Contact the platform operator.");
export const unavailable = (what: string) => one(503, 10013, `${what} is unavailable; the request changed nothing. Please retry.`);

/** An error as a log field: name, message and status, without the SDKs' request dumps. */
export function brief(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { message: String(err) };
  const status = (err as { $metadata?: { httpStatusCode?: number }; code?: number }).$metadata?.httpStatusCode ?? (err as { code?: unknown }).code;
  const cause = err.cause instanceof Error ? `${err.cause.name}: ${err.cause.message}` : undefined;
  return { name: err.name, message: err.message, ...(status !== undefined ? { status } : {}), ...(cause ? { cause } : {}) };
}
