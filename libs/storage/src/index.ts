export { createS3Client, s3ConfigFromEnv, type S3Config } from "./config.ts";
export { kvNamespacePrefix, metadataKey, moduleKey, scriptPrefix, validateModuleName, versionPrefix } from "./layout.ts";
