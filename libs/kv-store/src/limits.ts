// Cloudflare's Workers KV limits, checked before anything is read or written (pure functions).
import { KV_CODES, KvError } from "./errors.ts";

export const MAX_KEY_BYTES = 512;
export const MAX_VALUE_BYTES = 25 * 1024 * 1024;
export const MAX_METADATA_BYTES = 1024;
export const MIN_EXPIRATION_SECONDS = 60;
export const MAX_LIST_LIMIT = 1000;
export const MIN_CACHE_TTL = 30;
export const DEFAULT_CACHE_TTL = 60;
/** Keys in one binding bulk get (Cloudflare: 100). */
export const MAX_BULK_GET_KEYS = 100;
/** Pairs in one API bulk write or delete (Cloudflare: 10,000). */
export const MAX_BULK_KEYS = 10_000;

/** A key as Workers and the API name it: 1..512 UTF-8 bytes, well-formed, not "." or "..". Returns it. */
export function validateKey(key: string, field = "key"): string {
  const bytes = Buffer.byteLength(key);
  const reason =
    key.length === 0
      ? "must not be empty"
      : key === "." || key === ".."
        ? `"${key}" is not allowed`
        : !(key as unknown as { isWellFormed(): boolean }).isWellFormed()
          ? "is not well-formed UTF-16 (lone surrogate)"
          : bytes > MAX_KEY_BYTES
            ? `UTF-8 encoded length of ${bytes} exceeds key length limit of ${MAX_KEY_BYTES}`
            : undefined;
  if (reason) throw new KvError(bytes > MAX_KEY_BYTES ? 414 : 400, KV_CODES.invalidKey, `${field}: ${reason}`);
  return key;
}

const INTEGER = /^-?\d{1,16}$/;

function integerParam(value: string | number | undefined | null, field: string): number | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  const n = typeof value === "number" ? value : INTEGER.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n)) throw new KvError(400, KV_CODES.invalidExpiration, `${field}: ${JSON.stringify(value)} is not an integer number of seconds`);
  return n;
}

/**
 * The absolute expiration (seconds since the epoch) of a write, or undefined for none. `expiration_ttl`
 * wins over `expiration` (as on Cloudflare); either must be at least 60 s ahead.
 */
export function resolveExpiration(
  input: { expiration?: string | number | null; expirationTtl?: string | number | null },
  nowMs: number,
): number | undefined {
  const now = Math.floor(nowMs / 1000);
  const ttl = integerParam(input.expirationTtl, "expiration_ttl");
  if (ttl !== undefined) {
    if (ttl < MIN_EXPIRATION_SECONDS) {
      throw new KvError(400, KV_CODES.invalidExpiration, `expiration_ttl: invalid expiration_ttl of ${ttl}. Expiration TTL must be at least ${MIN_EXPIRATION_SECONDS}.`);
    }
    return now + ttl;
  }
  const at = integerParam(input.expiration, "expiration");
  if (at === undefined) return undefined;
  if (at < now + MIN_EXPIRATION_SECONDS) {
    throw new KvError(
      400,
      KV_CODES.invalidExpiration,
      `expiration: invalid expiration of ${at}. Please specify integer greater than the current number of seconds since the UNIX epoch (${now}) plus ${MIN_EXPIRATION_SECONDS}.`,
    );
  }
  return at;
}

/** Metadata as a JSON text of at most 1024 bytes; returns the text, normalised (parsed and re-serialised). */
export function validateMetadata(json: string, field = "metadata"): string {
  if (Buffer.byteLength(json) > MAX_METADATA_BYTES) {
    throw new KvError(413, KV_CODES.invalidMetadata, `${field}: metadata of ${Buffer.byteLength(json)} bytes exceeds the limit of ${MAX_METADATA_BYTES} bytes`);
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new KvError(400, KV_CODES.invalidMetadata, `${field}: metadata is not valid JSON`);
  }
  const normalised = JSON.stringify(value);
  if (Buffer.byteLength(normalised) > MAX_METADATA_BYTES) {
    throw new KvError(413, KV_CODES.invalidMetadata, `${field}: metadata exceeds the limit of ${MAX_METADATA_BYTES} bytes`);
  }
  return normalised;
}

export function validateListLimit(value: string | number | undefined | null, field = "limit"): number {
  if (value === undefined || value === null || value === "") return MAX_LIST_LIMIT;
  const n = typeof value === "number" ? value : /^\d{1,6}$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_LIST_LIMIT) {
    throw new KvError(400, KV_CODES.invalidLimit, `${field}: invalid key_count_limit/limit of ${JSON.stringify(value)}; it must be between 1 and ${MAX_LIST_LIMIT}`);
  }
  return n;
}

/** A read's cacheTtl in seconds: default 60, at least 30. */
export function validateCacheTtl(value: string | number | undefined | null, field = "cache_ttl"): number {
  if (value === undefined || value === null || value === "") return DEFAULT_CACHE_TTL;
  const n = typeof value === "number" ? value : /^\d{1,10}$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < MIN_CACHE_TTL) {
    throw new KvError(400, KV_CODES.invalidCacheTtl, `${field}: invalid cache_ttl of ${JSON.stringify(value)}. Cache TTL must be at least ${MIN_CACHE_TTL}.`);
  }
  return n;
}

export function valueTooLarge(bytes: number, field = "value"): KvError {
  return new KvError(413, KV_CODES.payloadTooLarge, `${field}: value of ${bytes} bytes or more exceeds the limit of ${MAX_VALUE_BYTES} bytes (25 MiB)`);
}
