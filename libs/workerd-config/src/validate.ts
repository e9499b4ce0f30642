// Shapes of every name that ends up in the config or in a file path of the layer.
import { secretEnvName, SECRET_NAME } from "@fireworkers/crd-types";
import { validateModuleName } from "@fireworkers/storage";

const SCRIPT = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const VERSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Bindings are properties of `env`: JavaScript identifiers, as Cloudflare requires. */
const BINDING = /^[A-Za-z_$][A-Za-z0-9_$]{0,255}$/;
const FLAG = /^[a-z0-9_]{1,128}$/;
const ENV_VAR = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function check(what: string, value: unknown, pattern: RegExp): string {
  if (typeof value !== "string" || !pattern.test(value)) throw new Error(`invalid ${what}: ${JSON.stringify(value)}`);
  return value;
}

export const checkScriptName = (name: unknown) => check("script name", name, SCRIPT);
export const checkVersionId = (id: unknown) => check("version id", id, VERSION_ID);
export const checkBindingName = (name: unknown) => check("binding name", name, BINDING);
export const checkFlag = (flag: unknown) => check("compatibility flag", flag, FLAG);
export const checkModuleName = (name: string) => validateModuleName(name);

/** A real calendar date in YYYY-MM-DD. */
export function checkDate(date: unknown): string {
  check("compatibility date", date, DATE);
  const parsed = new Date(`${date as string}T00:00:00Z`);
  if (Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== date) throw new Error(`invalid compatibility date: ${JSON.stringify(date)}`);
  return date as string;
}

/** The env var a secret binding reads, as the operator sets it on the pods (shared naming). */
export function secretEnvVar(script: string, secret: unknown): string {
  check("secret name", secret, SECRET_NAME);
  return check("secret env var", secretEnvName(script, secret as string), ENV_VAR);
}
