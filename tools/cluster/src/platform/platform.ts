// What `make up` leaves for its users (the e2e tests, the benchmarks, a developer's shell): dist/local/platform.json.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "@fireworkers/testenv";
import type { PlatformImages } from "./images.ts";

export const LOCAL_DIR = join(REPO_ROOT, "dist/local");
export const NAMESPACE = "fireworkers";

export interface Platform {
  /** The API from the host (NodePort on the node IP); wrangler's CLOUDFLARE_API_BASE_URL is this + /client/v4. */
  apiUrl: string;
  accountId: string;
  subdomain: string;
  token: string;
  /** The edge proxy: workers by Host `<script>.<subdomain>.<workersDomain>`. */
  edgeUrl: string;
  workersDomain: string;
  namespace: string;
  images: PlatformImages;
}

export function readPlatform(): Platform {
  const file = join(LOCAL_DIR, "platform.json");
  if (!existsSync(file)) throw new Error(`${file} is missing: run make up`);
  return JSON.parse(readFileSync(file, "utf8")) as Platform;
}
