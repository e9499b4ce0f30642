#!/usr/bin/env node
// Benchmark (`make bench-image`): assembling and pushing a bundle image with the job-builder's code path
// vs building the same image from an equivalent Dockerfile with buildah, FROM the same base, pushed to the
// same registry (Debian's docker-registry on loopback), side by side in one run.
//
// Both sides start from the same inputs on local disk/memory (S3 download excluded on both) and push to
// a fresh repository each iteration; buildah (overlay storage) has the base pulled beforehand and builds
// with --no-cache. buildah may mount its layer from an earlier iteration's repository; so be it.
// Bytes pushed are counted by a forwarding proxy in front of the registry, for both.
//   node bench/image-build.bench.ts [--iterations N] [--extra-mib M]
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parseArgs, promisify } from "node:util";
import type { JobBuilderSpec } from "@fireworkers/crd-types";
import { createLayer, imageConfig, imageManifest } from "@fireworkers/image-layer";
import { parseReference, pushImage, RegistryClient } from "@fireworkers/oci-registry";
import { createLogger } from "@fireworkers/observability";
import { pushBase, testBundleSources } from "@fireworkers/images";
import { startFlakyProxy, startRegistry } from "@fireworkers/testenv";
import { renderConfig } from "@fireworkers/workerd-config";
import { resolveBase } from "../apps/job-builder/src/base-source.ts";
import { bundleEntries, bundleImageSettings } from "../apps/job-builder/src/bundle-image.ts";
import { moduleId } from "../apps/job-builder/src/download-modules.ts";

const { values } = parseArgs({ options: { iterations: { type: "string", default: "5" }, "extra-mib": { type: "string", default: "2" } } });
const iterations = Number(values.iterations);
const log = createLogger("bench", { level: "warn" });
const dir = mkdtempSync(join(tmpdir(), "bench-image-"));
const logDir = join(dir, "logs");
mkdirSync(logDir);

/** Real JavaScript (this repository's own dependencies) up to `bytes`: compresses like a bundled app. */
function vendorCode(bytes: number): string {
  const files = readdirSync("node_modules/typescript/lib").filter((f) => f.endsWith(".js")).sort();
  let out = "";
  for (const f of files) {
    if (out.length >= bytes) break;
    out += readFileSync(join("node_modules/typescript/lib", f), "utf8");
  }
  return `export {};\n/*\n${out.slice(0, bytes).replaceAll("*/", "* /")}\n*/\n`;
}

/** The integration tests' bundle plus a larger module (a typical bundled app with dependencies). */
function benchBundle(): { spec: JobBuilderSpec; modules: Map<string, Buffer> } {
  const modules = new Map<string, Buffer>();
  const sources = testBundleSources();
  sources[0]!.versions[0]!.modules.push({ name: "vendor.js", type: "esm", content: vendorCode(Number(values["extra-mib"]) << 20) });
  const scripts = sources.map((s, workerNumber) => ({
    name: s.name,
    workerNumber,
    versions: s.versions.map((v, i) => {
      const versionId = `0000000${workerNumber}-0000-4000-8000-00000000000${i}`;
      const recorded = v.modules.map((m) => {
        const bytes = Buffer.from(m.content);
        modules.set(moduleId(s.name, versionId, m.name), bytes);
        return { name: m.name, type: m.type, sha256: createHash("sha256").update(bytes).digest("hex"), size: bytes.length };
      });
      return { versionId, percentage: 100, storage: { bucket: "bench", prefix: "bench/" }, mainModule: "index.js", modules: recorded, compatibilityDate: "2025-01-01", ...v.extra };
    }),
  }));
  return { spec: { accountId: "bench", releaseName: "bench", inputHash: "bench", image: { repository: "unused", tag: "v1" }, scripts }, modules };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mib = (n: number) => `${(n / 1048576).toFixed(2)} MiB`;

const registry = await startRegistry(dir, logDir, "bench-registry", false);
const proxy = await startFlakyProxy(registry.info.host);
try {
  const baseRef = await pushBase(proxy.host, undefined, "bench/base");
  const base = parseReference(baseRef);
  const { spec, modules } = benchBundle();

  // The builder's path: resolve the base, render, one layer, config + manifest, push (base mounted).
  const ours = { ms: [] as number[], bytes: [] as number[], digest: "", phases: [] as number[][] };
  for (let i = 0; i < iterations; i++) {
    const before = proxy.bodyBytes();
    const started = performance.now();
    const client = new RegistryClient({ registry: proxy.host });
    const resolved = await resolveBase(client, base);
    const t1 = performance.now();
    const rendered = renderConfig(spec.scripts);
    const layer = createLayer(bundleEntries(rendered, modules));
    const image = imageManifest(imageConfig(resolved.config, [layer], bundleImageSettings(spec, rendered, { ref: baseRef, digest: resolved.digest })), resolved.layers, [layer]);
    const t2 = performance.now();
    const target = { registry: proxy.host, repository: `bench/fireworkers-${i}`, tag: "v1" };
    await pushImage(client, target, image, [layer], { client, repository: base.repository, layers: resolved.layers }, log);
    ours.phases.push([t1 - started, t2 - t1, performance.now() - t2]);
    ours.ms.push(performance.now() - started);
    ours.bytes.push(proxy.bodyBytes() - before);
    ours.digest = image.manifest.descriptor.digest;
  }

  // buildah: the same files in a build context, an equivalent Dockerfile, build + push.
  const rendered = renderConfig(spec.scripts);
  const context = join(dir, "context");
  const write = (path: string, content: Buffer | string) => {
    mkdirSync(dirname(join(context, path)), { recursive: true });
    writeFileSync(join(context, path), content);
  };
  write("worker/config.capnp", rendered.config);
  for (const entry of bundleEntries(rendered, modules)) write(entry.path, entry.content ?? "");
  write(
    "Dockerfile",
    [
      `FROM ${baseRef}`,
      "COPY worker/ /worker/",
      "USER 65532:65532",
      "WORKDIR /worker",
      `EXPOSE ${rendered.sockets.map((s) => s.port).join(" ")}`,
      'ENTRYPOINT ["/usr/local/bin/workerd", "serve", "/worker/config.capnp"]',
      "",
    ].join("\n"),
  );
  // Async: the counting proxy runs in this process and must keep serving while buildah talks to it.
  const buildah = (args: string[], store = "buildah") =>
    promisify(execFile)("buildah", ["--root", join(dir, store, "root"), "--runroot", join(dir, store, "run"), "--storage-driver", "overlay", ...args], { maxBuffer: 64 << 20 });
  // Cold, as in a fresh build pod: empty storage, so buildah pulls the base first (the job-builder never
  // downloads base layers: it mounts them in the registry).
  const cold = { ms: [] as number[] };
  for (let i = 0; i < iterations; i++) {
    const store = `buildah-cold-${i}`;
    const started = performance.now();
    await buildah(["bud", "--isolation", "chroot", "--no-cache", "--tls-verify=false", "-t", `localhost/cold:${i}`, context], store);
    await buildah(["push", "--tls-verify=false", `localhost/cold:${i}`, `docker://${proxy.host}/bench/buildah-cold-${i}:v1`], store);
    cold.ms.push(performance.now() - started);
    rmSync(join(dir, store), { recursive: true, force: true });
  }
  await buildah(["pull", "--tls-verify=false", baseRef]);
  const theirs = { ms: [] as number[], bytes: [] as number[] };
  for (let i = 0; i < iterations; i++) {
    const before = proxy.bodyBytes();
    const started = performance.now();
    await buildah(["bud", "--isolation", "chroot", "--no-cache", "--pull=false", "--tls-verify=false", "-t", `localhost/bench:${i}`, context]);
    await buildah(["push", "--tls-verify=false", `localhost/bench:${i}`, `docker://${proxy.host}/bench/buildah-${i}:v1`]);
    theirs.ms.push(performance.now() - started);
    theirs.bytes.push(proxy.bodyBytes() - before);
  }

  // buildah's numbers include starting its process; the job-builder's loop above does not. Measure that
  // start (Node + the job-builder's imports) once per iteration and report the ratio with it too.
  const starts: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const started = performance.now();
    await promisify(execFile)(process.execPath, ["--input-type=module", "-e", `await import(${JSON.stringify(new URL("../apps/job-builder/src/build.ts", import.meta.url).pathname)})`]);
    starts.push(performance.now() - started);
  }
  const o = median(ours.ms);
  const t = median(theirs.ms);
  const moduleBytes = [...modules.values()].reduce((n, b) => n + b.length, 0);
  console.log(`\nbundle: ${spec.scripts.length} scripts, ${modules.size} modules, ${mib(moduleBytes)}; base ${baseRef}; ${iterations} iterations each`);
  console.log(`${"".padEnd(34)}${"median ms".padStart(12)}${"min ms".padStart(10)}${"bytes pushed (median)".padStart(24)}`);
  console.log(`${"fireworkers assemble + push".padEnd(34)}${o.toFixed(0).padStart(12)}${Math.min(...ours.ms).toFixed(0).padStart(10)}${mib(median(ours.bytes)).padStart(24)}`);
  console.log(`${"buildah bud --no-cache + push".padEnd(34)}${t.toFixed(0).padStart(12)}${Math.min(...theirs.ms).toFixed(0).padStart(10)}${mib(median(theirs.bytes)).padStart(24)}`);
  const phase = (i: number) => median(ours.phases.map((p) => p[i]!)).toFixed(0);
  console.log(`fireworkers phases (median ms): resolve base ${phase(0)}, render + layer + manifest ${phase(1)}, push ${phase(2)}`);
  const c = median(cold.ms);
  const s = median(starts);
  console.log(`${"buildah, cold storage (pulls base)".padEnd(34)}${c.toFixed(0).padStart(12)}${Math.min(...cold.ms).toFixed(0).padStart(10)}`);
  console.log(`${"fireworkers process start".padEnd(34)}${s.toFixed(0).padStart(12)}${Math.min(...starts).toFixed(0).padStart(10)}   (node + the job-builder's imports)`);
  console.log(`ratio, warm (buildah with the base cached / assemble + push): ${(t / o).toFixed(1)}x`);
  console.log(`ratio, as a build Job runs (buildah cold / job-builder process start + assemble + push): ${(c / (o + s)).toFixed(1)}x`);
} finally {
  await proxy.close();
  await registry.processes[0]!.stop();
  if (process.env.FIREWORKERS_KEEP_ENV !== "1") rmSync(dir, { recursive: true, force: true });
}
