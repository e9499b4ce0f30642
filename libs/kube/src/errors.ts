// One error taxonomy for every apiserver call, by what the caller can do about it (client-go's
// apierrors.IsNotFound/IsConflict/IsForbidden/IsInvalid, plus "the apiserver could not be reached or
// answered 5xx/429"). Only Unavailable is worth retrying as is; the others are answers.

export type KubeErrorReason = "NotFound" | "Conflict" | "Forbidden" | "Invalid" | "Unavailable";

export abstract class KubeError extends Error {
  abstract readonly reason: KubeErrorReason;
  /** The HTTP status the apiserver answered; undefined when no answer came (timeout, connection error). */
  readonly status: number | undefined;
  constructor(message: string, status: number | undefined, options?: ErrorOptions) {
    super(message, options);
    this.status = status;
  }
}

/** 404: the object (or its namespace) does not exist. */
export class NotFound extends KubeError {
  override readonly name = "NotFound";
  readonly reason = "NotFound";
}

/** 409: a concurrent write won (stale resourceVersion), or the object already exists. */
export class Conflict extends KubeError {
  override readonly name = "Conflict";
  readonly reason = "Conflict";
}

/** 401/403: this identity may not do that. Permanent until someone changes RBAC or credentials. */
export class Forbidden extends KubeError {
  override readonly name = "Forbidden";
  readonly reason = "Forbidden";
}

/** 400/422 (and other 4xx): the request itself is wrong; sending it again changes nothing. */
export class Invalid extends KubeError {
  override readonly name = "Invalid";
  readonly reason = "Invalid";
}

/** Timeouts, connection errors, 429 and 5xx: the apiserver could not answer now. */
export class Unavailable extends KubeError {
  override readonly name = "Unavailable";
  readonly reason = "Unavailable";
}

/** The error for an apiserver answer with a non-2xx status; `body` is the answer (a metav1.Status, usually). */
export function errorFromStatus(what: string, status: number, body: unknown): KubeError {
  const detail = statusMessage(body);
  const message = `${what}: HTTP ${status}${detail ? `: ${detail}` : ""}`;
  if (status === 404) return new NotFound(message, status);
  if (status === 409) return new Conflict(message, status);
  if (status === 401 || status === 403) return new Forbidden(message, status);
  if (status === 429 || status >= 500) return new Unavailable(message, status);
  return new Invalid(message, status);
}

/** The error for a request that got no answer: a timeout, a refused or reset connection, a TLS failure. */
export function errorFromCause(what: string, cause: unknown): Unavailable {
  const text = cause instanceof Error && (cause.name === "TimeoutError" || cause.name === "AbortError") ? "timed out" : describe(cause);
  return new Unavailable(`${what}: ${text}`, undefined, { cause });
}

function statusMessage(body: unknown): string {
  if (body && typeof body === "object" && "message" in body && typeof body.message === "string") return body.message.slice(0, 500);
  return typeof body === "string" ? body.slice(0, 300) : "";
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // undici's "fetch failed" hides the reason in `cause` (ECONNREFUSED, certificate errors, ...).
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : "";
  return `${err.message}${cause}`;
}
