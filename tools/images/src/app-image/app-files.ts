// Pure rules for what an app image carries from the repository: sources without their tests, and
// dependency packages minus their .bin links (which point outside the package), type declarations and source maps.

/** A workspace file that belongs in an image: sources and manifests, no tests or test data. */
export function isRuntimeSource(relativePath: string): boolean {
  const parts = relativePath.split("/");
  if (parts.some((p) => p === "test" || p === "testdata" || p === "node_modules" || p === "fixtures")) return false;
  if (/\.(test|int\.test|bench)\.ts$/.test(relativePath)) return false;
  return relativePath === "package.json" || parts[0] === "src";
}

/** A file of a dependency package that belongs in an image: not its .bin links, nor type declarations and
 * source maps, which Node never reads (they are half of @kubernetes/client-node's 70 MB). */
export const isPackageFile = (relativePath: string) => !relativePath.split("/").includes(".bin") && !/\.(d\.[cm]?ts|map)$/.test(relativePath);

/** The image's entrypoint for an app of the monorepo (TypeScript runs directly on Node 22). */
export const appEntrypoint = (workspace: string) => ["/usr/local/bin/node", `/app/${workspace}/src/main.ts`];
