// Domain errors: what actions, stores and upload parsing throw. They say what went wrong in the product's
// terms; the API's one error handler (plugins/errors.ts) turns each into Cloudflare's envelope, code and
// HTTP status. Nothing here knows about HTTP.

export abstract class DomainError extends Error {}

/** A resource of the account that does not exist (or is being deleted). */
export class NotFound extends DomainError {
  readonly resource: "account" | "worker" | "version" | "secret";
  readonly id: string;
  constructor(resource: NotFound["resource"], id: string) {
    super(`${resource} ${id} not found`);
    this.name = "NotFound";
    this.resource = resource;
    this.id = id;
  }
}

/** Creating what exists already; `code` is the Cloudflare code of that resource's answer. */
export class AlreadyExists extends DomainError {
  readonly code: number;
  constructor(code: number, message: string) {
    super(message);
    this.name = "AlreadyExists";
    this.code = code;
  }
}

/** Bad input. `field` names where it is (e.g. "metadata.main_module", "body/versions"), when known. */
export class Invalid extends DomainError {
  readonly field: string | undefined;
  readonly reason: string;
  constructor(reason: string, field?: string) {
    super(field ? `${field}: ${reason}` : reason);
    this.name = "Invalid";
    this.field = field;
    this.reason = reason;
  }
}

/** `inherit` bindings that resolve to nothing (one error per name, as wrangler parses them). */
export class InheritUnresolved extends DomainError {
  readonly names: string[];
  constructor(names: string[]) {
    super(`unresolved inherit bindings: ${names.join(", ")}`);
    this.name = "InheritUnresolved";
    this.names = names;
  }
}

/** An upload beyond a limit: total module bytes (`bytes`) or module count (`modules`). */
export class TooLarge extends DomainError {
  readonly what: "bytes" | "modules";
  readonly limit: number;
  constructor(what: TooLarge["what"], limit: number) {
    super(`over the limit of ${limit} ${what}`);
    this.name = "TooLarge";
    this.what = what;
    this.limit = limit;
  }
}

/** A dependency (Kubernetes, S3) failed; the request changed nothing and may be retried. */
export class Unavailable extends DomainError {
  readonly what: string;
  constructor(what: string, cause?: unknown) {
    super(`${what} is unavailable`, { cause });
    this.name = "Unavailable";
    this.what = what;
  }
}

/**
 * A request the rules of the product refuse until the user confirms or changes something; `code` is the
 * Cloudflare code wrangler reacts to (e.g. 10220: it parses the names and retries with ?force=true).
 */
export class PolicyRefused extends DomainError {
  readonly code: number;
  constructor(code: number, message: string) {
    super(message);
    this.name = "PolicyRefused";
    this.code = code;
  }
}

/** 10215: a secret change deploys the latest version, so it must be the one fully deployed. */
export const secretEditRefused = () =>
  new PolicyRefused(10215, "Secret edit failed: the latest version of this Worker is not the one deployed at 100%.");

/** 10220: a rollback across secret changes serves today's secrets with older code (confirm with force). */
export const secretsChanged = (names: string[]) => new PolicyRefused(10220, `The following secrets have changed: ${names.join(", ")}`);
