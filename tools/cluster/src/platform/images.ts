// The platform's images for the local cluster: the workerd runtime base (`make base-image`) and the three
// apps (`make app-images`), pushed to the cluster's registry. They are rebuilt only when their inputs
// changed (a hash of the sources that go into them) or the registry lost them, so a second `make up` is fast.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "@fireworkers/testenv";

export interface PlatformImages {
  /** What the refs were built from (see inputsHash). */
  inputs: string;
  base: string;
  operator: string;
  api: string;
  jobBuilder: string;
  gateway: string;
}

/** What the images are made of: the product's sources (apps/, libs/) and the image builder (tools/images);
 * not tests, fixtures, or the rest of the tooling. */
export function inputsHash(root = REPO_ROOT): string {
  const files = execFileSync("git", ["ls-files", "-co", "--exclude-standard", "--", "apps", "libs", "tools/images", "package-lock.json", "scripts/ensure-node.sh"], { cwd: root, encoding: "utf8" })
    .split("\n")
    .filter((f) => f && !/\.test\.ts$|\/test\/|\/fixtures\/|\/testdata\//.test(f) && existsSync(join(root, f)))
    .sort();
  const h = createHash("sha256");
  for (const f of files) h.update(f).update("\0").update(readFileSync(join(root, f))).update("\0");
  return h.digest("hex").slice(0, 16);
}

async function inRegistry(ref: string): Promise<boolean> {
  const at = ref.indexOf("@");
  const slash = ref.indexOf("/");
  const url = `http://${ref.slice(0, slash)}/v2/${ref.slice(slash + 1, at)}/manifests/${ref.slice(at + 1)}`;
  const res = await fetch(url, { method: "HEAD", headers: { accept: "application/vnd.oci.image.manifest.v1+json" } }).catch(() => undefined);
  return res?.status === 200;
}

/** Builds and pushes what is missing; `stateFile` remembers the refs and the inputs they came from. */
export async function ensureImages(registry: string, stateFile: string, log: (msg: string) => void): Promise<PlatformImages> {
  const inputs = inputsHash();
  if (existsSync(stateFile)) {
    const prev = JSON.parse(readFileSync(stateFile, "utf8")) as PlatformImages;
    const refs = [prev.base, prev.operator, prev.api, prev.jobBuilder, prev.gateway];
    if (prev.inputs === inputs && refs.every(Boolean) && (await Promise.all(refs.map(inRegistry))).every(Boolean)) {
      log(`  unchanged since the last push (inputs ${inputs}), all in ${registry}`);
      return prev;
    }
  }
  const env = {
    ...process.env,
    REGISTRY_PLAIN_HTTP: registry,
    BASE_IMAGE_REPOSITORY: `${registry}/fireworkers/workerd-runtime`,
    APP_IMAGE_REPOSITORY_PREFIX: `${registry}/fireworkers`,
  };
  const make = (target: string) => {
    const started = Date.now();
    // stderr (the JSON build logs) goes to the terminal; stdout is one `repository@digest` per image.
    const out = execFileSync("make", ["--no-print-directory", "-s", target, `BASE_IMAGE_REPOSITORY=${env.BASE_IMAGE_REPOSITORY}`, `APP_IMAGE_REPOSITORY_PREFIX=${env.APP_IMAGE_REPOSITORY_PREFIX}`], {
      cwd: REPO_ROOT,
      env,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    log(`  make ${target}: ${((Date.now() - started) / 1000).toFixed(1)}s`);
    // The apps log JSON on stdout too: keep only the bare references.
    return out.split("\n").filter((l) => /^[^\s{]+@sha256:[0-9a-f]{64}$/.test(l));
  };
  const [base] = make("base-image");
  const apps = make("app-images");
  const pick = (app: string) => {
    const ref = apps.find((r) => r.includes(`/fireworkers/${app}@`));
    if (!ref) throw new Error(`make app-images printed no ${app} image`);
    return ref;
  };
  if (!base) throw new Error("make base-image printed no image");
  const images: PlatformImages = { inputs, base, operator: pick("operator"), api: pick("fake-cf-api"), jobBuilder: pick("job-builder"), gateway: pick("bindings-gateway") };
  writeFileSync(stateFile, JSON.stringify(images, null, 2));
  for (const ref of [images.base, images.operator, images.api, images.jobBuilder, images.gateway]) log(`  ${ref}`);
  return images;
}
