// The S3 layout, immutable per version:
//   accounts/<account>/scripts/<script>/versions/<versionId>/metadata.json
//   accounts/<account>/scripts/<script>/versions/<versionId>/modules/<module name>
//   accounts/<account>/kv/<namespace id>/...                       (Workers KV: libs/kv-store)
// Callers validate account, script and module names before they reach these functions; the functions
// re-check the shapes anyway, so no unvalidated string ever becomes a key.

const ACCOUNT = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const SCRIPT = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const KV_NAMESPACE = /^[0-9a-f]{32}$/;
const VERSION = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function check(kind: string, value: string, pattern: RegExp): string {
  if (!pattern.test(value)) throw new Error(`invalid ${kind} for an S3 key: ${JSON.stringify(value)}`);
  return value;
}

export const scriptPrefix = (account: string, script: string) =>
  `accounts/${check("account", account, ACCOUNT)}/scripts/${check("script", script, SCRIPT)}/`;

export const versionPrefix = (account: string, script: string, versionId: string) =>
  `${scriptPrefix(account, script)}versions/${check("version id", versionId, VERSION)}/`;

/** Where one KV namespace keeps its values: accounts/<account>/kv/<namespace id>/ (the layout inside is libs/kv-store's). */
export const kvNamespacePrefix = (account: string, namespaceId: string) =>
  `accounts/${check("account", account, ACCOUNT)}/kv/${check("KV namespace id", namespaceId, KV_NAMESPACE)}/`;

export const metadataKey = (prefix: string) => `${prefix}metadata.json`;

/** Module names are checked by `validateModuleName` before they get here. */
export const moduleKey = (prefix: string, moduleName: string) => `${prefix}modules/${validateModuleName(moduleName)}`;

/**
 * A module path as a worker imports it: relative, no `..` or `.` segments, no empty segments, no
 * backslashes or control characters, at most 256 bytes. Returns the name, or throws with the reason.
 */
export function validateModuleName(name: string): string {
  const reason =
    name.length === 0
      ? "is empty"
      : Buffer.byteLength(name) > 256
        ? "is longer than 256 bytes"
        : name.startsWith("/")
          ? "is an absolute path"
          : // eslint-disable-next-line no-control-regex -- rejecting control characters is the point
            /[\\\u0000-\u001f\u007f]/.test(name)
            ? "contains a backslash or a control character"
            : !/^[A-Za-z0-9._\-@+~/ ]+$/.test(name)
              ? "contains characters outside [A-Za-z0-9._-@+~/ ]"
              : name.split("/").some((s) => s === "" || s === "." || s === "..")
                ? "has an empty, '.' or '..' path segment"
                : undefined;
  if (reason) throw new Error(`module name ${JSON.stringify(name)} ${reason}`);
  return name;
}
