// Types of routing.mjs for the TypeScript tests that import it.
export declare function pickRoute(
  host: string,
  pathname: string,
  scripts: string[],
  hostSuffix: string | null | undefined,
): { script: string; pathname: string; prefix: string | null } | null;
export declare function fnv1a(text: string): number;
export declare function pickVersion(percentages: number[], point: number): number;
export declare function pointForKey(key: string): number;
export declare function splitKey(headers: Headers): string | null;
