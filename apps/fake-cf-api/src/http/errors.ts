// Cloudflare's error envelope and the error codes wrangler reacts to (shared/reference/wrangler-api.md §6).
// Actions throw domain errors (domain/errors.ts); `toApiError` is the one place that turns them, and
// anything else, into a Cloudflare code and HTTP status. Anything unknown becomes a 500 with code 10013.
import {
  AlreadyExists,
  DomainError,
  InheritUnresolved,
  Invalid,
  NotFound,
  PolicyRefused,
  QuotaExceeded,
  TooLarge,
  Unavailable,
} from "../domain/errors.ts";
import { Conflict as KubeConflict, Forbidden as KubeForbidden, Invalid as KubeInvalid, NotFound as KubeNotFound, Unavailable as KubeUnavailable } from "@fireworkers/kube";
import { isKvError } from "@fireworkers/kv-store";
import { S3WriteError } from "../upload/stream-modules.ts";

export interface CfError {
  code: number;
  message: string;
}

/** An answer with Cloudflare's error envelope: HTTP-level refusals (authentication, no route) and mapped domain errors. */
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

/** A known path with a method it does not declare: 405, code 7001, with the Allow header (plugins/errors.ts). */
export const methodNotAllowed = (method: string) => one(405, 7001, `Method ${method} not allowed for this route`);

/** 10021 is Cloudflare's "invalid script / validation" code. The message names the offending field.
 * (wrangler treats a 10021 message containing "startup" as a startup-limit failure: never use that word.) */
export const invalid = (message: string) => one(400, 10021, message);

export const internal = () => one(500, 10013, "An internal error occurred; the request changed nothing. Please retry.");
/** Kubernetes refused the API's own service account (401/403): permanent until someone fixes its RBAC, so
 * not 503/10013 "retry". The details (verb, resource) go to the log only. */
export const kubeForbidden = () =>
  one(500, 10002, "The API is not permitted to make this change in Kubernetes (RBAC); the request changed nothing. Contact the platform operator.");
export const unavailable = (what: string) => one(503, 10013, `${what} is unavailable; the request changed nothing. Please retry.`);

/**
 * How a missing Worker is answered: 10007 on .../scripts routes, 10090 on .../services routes (the two
 * "does not exist" answers wrangler's existence checks read). A route picks with `config.missingWorker`.
 */
export type MissingWorker = "script" | "service";

function notFound(err: NotFound, missingWorker: MissingWorker): ApiError {
  switch (err.resource) {
    case "account":
      return one(404, 7003, `Could not route to /accounts/${err.id}, perhaps your object identifier is invalid?`);
    case "worker":
      return missingWorker === "service" ? one(404, 10090, "workers.api.error.service_not_found") : one(404, 10007, "This Worker does not exist on your account.");
    case "version":
      return one(404, 10222, `workers.api.error.version_not_found: ${err.id}`);
    case "secret":
      return one(404, 10056, `workers.api.error.secret_not_found: ${err.id}`);
  }
}

/**
 * Over a quota: HTTP 400 with the code of the resource's limit. 10037 is the code Cloudflare answers when
 * an account has reached its Workers limit; the others are the codes of the resource's own API family
 * (README, Quotas, lists them: change them there too).
 */
const QUOTA_STATUS = 400;
export const QUOTA_CODES: Record<string, number> = { scripts: 10037, secretsPerScript: 10053, kvNamespaces: 10026, r2Buckets: 10009 };

function fromDomain(err: DomainError, missingWorker: MissingWorker): ApiError {
  if (err instanceof NotFound) return notFound(err, missingWorker);
  if (err instanceof Invalid) return invalid(err.message);
  // One error per unresolved name: wrangler matches each message against /inherit binding '(.*)' is invalid/.
  if (err instanceof InheritUnresolved) return new ApiError(400, err.names.map((name) => ({ code: 10057, message: `inherit binding '${name}' is invalid` })));
  if (err instanceof TooLarge) {
    return err.what === "bytes"
      ? one(413, 10027, `Your Worker exceeded the size limit of ${(err.limit / (1 << 20)).toFixed(0)} MiB.`)
      : one(400, 10027, `Your Worker has more than ${err.limit} modules.`);
  }
  if (err instanceof PolicyRefused) return one(400, err.code, err.message);
  if (err instanceof QuotaExceeded) return one(QUOTA_STATUS, QUOTA_CODES[err.quota] ?? 10037, err.message);
  if (err instanceof AlreadyExists) return one(409, err.code, err.message);
  if (err instanceof Unavailable) return unavailable(err.what);
  return internal();
}

/** Any error as the Cloudflare answer: domain errors, Fastify's own (validation, body limit), dependency failures. */
export function toApiError(
  err: Error & { validation?: unknown; validationContext?: string; code?: string; statusCode?: number },
  opts: { missingWorker: MissingWorker; bodyLimit: number },
): ApiError {
  if (err instanceof ApiError) return err;
  // Workers KV's own codes (libs/kv-store), shared with the bindings gateway.
  if (isKvError(err)) return one(err.status, err.code, err.message);
  if (err instanceof DomainError) return fromDomain(err, opts.missingWorker);
  if (err.validation) return invalid(`${err.validationContext ?? "request"}${err.message.slice((err.validationContext ?? "").length)}`);
  if (err.code === "FST_ERR_CTP_BODY_TOO_LARGE") return fromDomain(new TooLarge("bytes", opts.bodyLimit), opts.missingWorker);
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return new ApiError(err.statusCode, invalid(err.message).errors);
  if (err instanceof KubeUnavailable) return unavailable("Kubernetes");
  // Retrying cannot help: the API's own RBAC (or credentials) must change. A 500 the operator sees in the log.
  if (err instanceof KubeForbidden) return kubeForbidden();
  if (err instanceof S3WriteError) return unavailable("S3");
  // The apiserver refused an object the API built (422/400): the same request would be refused again, so
  // no "retry". The answer names what was refused (verb and object, e.g. "create WorkerVersion/x"); the
  // apiserver's own message stays in the log.
  if (err instanceof KubeInvalid) return invalid(`Kubernetes refused ${refused(err.message)}; the request was not completed.`);
  // 404 from the apiserver (not a domain NotFound): an object the request needed was deleted meanwhile.
  if (err instanceof KubeNotFound) return one(500, 10002, `${refused(err.message)} found nothing: a Kubernetes object was deleted meanwhile; the request was not completed.`);
  // 409: another writer changed the same object between our read and write; the next attempt reads it anew.
  if (err instanceof KubeConflict) return one(409, 10013, `${refused(err.message)} raced a concurrent change; the request was not completed. Please retry.`);
  return internal();
}

/** The "verb Kind/name" prefix of a KubeError message, without the apiserver's text after it. */
const refused = (message: string) => message.split(": HTTP ")[0]!.slice(0, 200);
