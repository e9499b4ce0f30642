export { createS3Client, S3_CONNECT_TIMEOUT_MS, S3_REQUEST_TIMEOUT_MS, s3ConfigFromEnv, type S3Config } from "./config.ts";
export { kvNamespacePrefix, metadataKey, moduleKey, scriptPrefix, validateModuleName, versionPrefix } from "./layout.ts";
