export { createTar, TAR_MTIME, type TarEntry } from "./tar.ts";
export { createLayer, GZIP_LEVEL, sha256Digest, type Layer } from "./layer.ts";
export { IMAGE_CREATED, imageConfig, imageManifest, MEDIA_TYPES, type BuiltImage, type Descriptor, type ImageConfig, type ImageSettings } from "./image.ts";
export { NODE_PATH, RUNTIME_UID, WORKERD_PATH } from "./runtime-layout.ts";
