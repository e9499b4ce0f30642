// A registry client configured from the environment: credentials from the dockerconfigjson file
// (REGISTRY_AUTH_FILE, the mounted kubernetes.io/dockerconfigjson Secret) and the plain-HTTP list.
import type { Logger } from "@fireworkers/observability";
import { RegistryClient } from "./client.ts";
import { credentialsFromFile } from "./docker-config.ts";

export interface RegistrySettings {
  authFile?: string;
  plainHttp: Set<string>;
}

export function registrySettingsFromEnv(env: NodeJS.ProcessEnv): RegistrySettings {
  return {
    authFile: env.REGISTRY_AUTH_FILE || undefined,
    plainHttp: new Set((env.REGISTRY_PLAIN_HTTP ?? "").split(",").map((s) => s.trim()).filter(Boolean)),
  };
}

export function registryClient(registry: string, settings: RegistrySettings, log: Logger): RegistryClient {
  const credentials = settings.authFile ? credentialsFromFile(settings.authFile, registry) : undefined;
  log.debug({ registry, credentials: credentials ? credentials.username : null }, "registry client");
  return new RegistryClient({
    registry,
    credentials,
    plainHttp: settings.plainHttp,
    onRetry: (r) => log.warn(r, "registry request failed, retrying"),
  });
}
