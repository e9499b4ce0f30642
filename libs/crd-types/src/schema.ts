// Schema builders that stay inside what a Kubernetes *structural* schema accepts: every node has a
// `type`, maps use `additionalProperties` (never `patternProperties`), enums are typed, and no `const`.
// TypeBox gives the static TypeScript type of each schema, so the types and the CRDs share one source.
import { Type, type TSchema, type TUnsafe } from "typebox";

export { Type };
export type { Static, TSchema } from "typebox";

export const StringEnum = <const T extends readonly string[]>(values: T, options: Record<string, unknown> = {}) =>
  Type.Unsafe<T[number]>({ type: "string", enum: [...values], ...options });

export const StringMap = (options: Record<string, unknown> = {}): TUnsafe<Record<string, string>> =>
  Type.Unsafe<Record<string, string>>({ type: "object", additionalProperties: { type: "string" }, ...options });

/** A list whose items are merged by key under server-side apply. */
export const MapList = <T extends TSchema>(item: T, keys: string[], options: Record<string, unknown> = {}) =>
  Type.Array(item, { "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": keys, ...options });

/** An object whose fields are validated elsewhere (e.g. a binding's type-specific settings). */
export const OpenObject = <T extends object>(description: string) =>
  Type.Unsafe<T>({ type: "object", description, "x-kubernetes-preserve-unknown-fields": true });

/** A DNS-1123 label, the shape of most names here (scripts, accounts, bundles). */
export const DnsLabel = (description: string) =>
  Type.String({ description, minLength: 1, maxLength: 63, pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" });

export const Sha256Hex = Type.String({ minLength: 64, maxLength: 64, pattern: "^[a-f0-9]{64}$" });

export const Uuid = (description: string) =>
  Type.String({ description, minLength: 36, maxLength: 36, pattern: "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$" });

/** CEL rule making a field write-once (Kubernetes >= 1.25). */
export const immutable = (what: string) => ({
  "x-kubernetes-validations": [{ rule: "self == oldSelf", message: `${what} is immutable` }],
});
