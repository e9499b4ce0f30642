// The repository's own images, built without Docker: the runtime bases (workerd; Node) and the apps' images.
export { buildBaseImage, buildNodeBaseImage, type BaseImage } from "./base-image/build-base-image.ts";
export { buildAppImage } from "./app-image/build-app-image.ts";
// Test helpers for the builder's tests and benchmarks: the workerd base in a test registry, the test bundle in S3.
export { baseImage, pushBase } from "./test/base.ts";
export { SECRET_ENV, SECRET_VALUE, testBundleSources, uploadTestBundle, type ModuleSource } from "./test/bundle-fixture.ts";
