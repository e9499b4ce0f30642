// Credentials from a `kubernetes.io/dockerconfigjson` Secret (the `.dockerconfigjson` key, mounted as a
// file), which is also the format of `docker login` / `skopeo login --authfile`.
import { readFileSync } from "node:fs";
import { DOCKER_HUB } from "./reference.ts";

export interface Credentials {
  username: string;
  password: string;
}

interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
}

/** Keys under which clients store a registry: bare host, with scheme, with Docker Hub's legacy v1 URL. */
function keysFor(registry: string): string[] {
  const keys = [registry, `https://${registry}`, `http://${registry}`, `https://${registry}/v1/`, `https://${registry}/v2/`];
  if (registry === DOCKER_HUB) keys.push("https://index.docker.io/v1/", "index.docker.io", "registry-1.docker.io");
  return keys;
}

/** The credentials for `registry` in a dockerconfigjson document, or undefined. */
export function credentialsFor(dockerConfigJson: string, registry: string): Credentials | undefined {
  let doc: { auths?: Record<string, AuthEntry> };
  try {
    doc = JSON.parse(dockerConfigJson);
  } catch (err) {
    throw new Error(`the registry credentials are not valid JSON (dockerconfigjson expected): ${(err as Error).message}`);
  }
  const auths = doc.auths ?? {};
  const key = keysFor(registry).find((k) => k in auths);
  if (!key) return undefined;
  const entry = auths[key]!;
  if (entry.username && entry.password) return { username: entry.username, password: entry.password };
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 1) throw new Error(`the "auth" entry for ${key} is not base64 of user:password`);
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  throw new Error(`the entry for ${key} has neither "auth" nor username/password`);
}

export function credentialsFromFile(path: string, registry: string): Credentials | undefined {
  return credentialsFor(readFileSync(path, "utf8"), registry);
}
