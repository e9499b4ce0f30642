export { backoffDelay, isRetryableStatus } from "./backoff.ts";
export { parseChallenge, type Challenge } from "./challenge.ts";
export { RegistryClient, type Blob, type RegistryClientOptions } from "./client.ts";
export { credentialsFor, credentialsFromFile, type Credentials } from "./docker-config.ts";
export { RegistryError } from "./errors.ts";
export { MANIFEST_ACCEPT, MEDIA } from "./media-types.ts";
export { DOCKER_HUB, formatReference, isDigest, parseReference, registryBaseUrl, type ImageReference } from "./reference.ts";
export { pushImage, type BaseSource, type PushResult } from "./push.ts";
export { registryClient, registrySettingsFromEnv, type RegistrySettings } from "./from-env.ts";
