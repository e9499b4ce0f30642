// The job-builder's own image, assembled by this builder on the Node base (no Docker), runs a real build
// from inside containerd: S3 download, render, push to the registry, termination message.
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, inject, it } from "vitest";
import { API_VERSION } from "@fireworkers/crd-types";
import { pushImage, RegistryClient } from "@fireworkers/oci-registry";
import { createLogger } from "@fireworkers/observability";
import { ctr, s3Client } from "@fireworkers/testenv";
import { buildNodeBaseImage } from "../base-image/build-base-image.ts";
import { pushBase } from "../test/base.ts";
import { uploadTestBundle } from "../test/bundle-fixture.ts";
import { buildAppImage } from "./build-app-image.ts";

const env = inject("env");
const REPO_ROOT = fileURLToPath(new URL("../../../..", import.meta.url));
const NODE_PACKAGE = join(process.execPath, "../..");

describe("the job-builder app image", () => {
  it("is assembled on the Node base and builds a bundle image from inside containerd", async () => {
    const log = createLogger("test", { level: "warn" });
    const client = new RegistryClient({ registry: env.registry.host });
    const base = buildNodeBaseImage(NODE_PACKAGE);
    const baseTarget = { registry: env.registry.host, repository: "fireworkers/node-runtime", tag: "test" };
    const baseDigest = (await pushImage(client, baseTarget, base, [base.layer], undefined, log)).digest;
    const image = buildAppImage(REPO_ROOT, "apps/job-builder", base, `${env.registry.host}/fireworkers/node-runtime@${baseDigest}`);
    const target = { registry: env.registry.host, repository: "fireworkers/job-builder", tag: "test" };
    const layers = JSON.parse(base.manifest.bytes.toString()).layers;
    const pushed = await pushImage(client, target, image, [image.layer], { client, repository: baseTarget.repository, layers }, log);
    expect(pushed.blobs[layers[0].digest]).toBe("mounted");
    const ref = `${env.registry.host}/${target.repository}@${pushed.digest}`;

    const account = `app-${randomBytes(3).toString("hex")}`;
    const s3 = s3Client(env.s3);
    const [workerdBase, spec] = await Promise.all([pushBase(env.registry.host), uploadTestBundle(s3, env.s3.bucket, account, `${env.registry.host}/workers/${account}`)]);
    s3.destroy();
    // Mounted into the container; the builder runs as uid 65532, so the directory is writable by all.
    const io = mkdtempSync(join(tmpdir(), "job-builder-io-"));
    chmodSync(io, 0o777);
    writeFileSync(join(io, "jobbuilder.json"), JSON.stringify({ apiVersion: API_VERSION, kind: "JobBuilder", metadata: { name: account }, spec }));

    await ctr(env.containerd, ["images", "pull", "--plain-http", ref], 120_000);
    const id = `job-builder-${account}`;
    const run = ctr(
      env.containerd,
      [
        "run", "--rm", "--net-host",
        "--mount", `type=bind,src=${io},dst=/io,options=rbind:rw`,
        ...["S3_ENDPOINT", env.s3.endpoint, "S3_REGION", env.s3.region, "S3_BUCKET", env.s3.bucket, "S3_ACCESS_KEY_ID", env.s3.accessKeyId, "S3_SECRET_ACCESS_KEY", env.s3.secretAccessKey]
          .reduce<string[]>((acc, v, i, all) => (i % 2 ? acc : [...acc, "--env", `${v}=${all[i + 1]}`]), []),
        "--env", `BASE_IMAGE=${workerdBase}`,
        "--env", "JOB_BUILDER_FILE=/io/jobbuilder.json",
        "--env", "TERMINATION_MESSAGE_PATH=/io/termination-log",
        ref, id,
      ],
      120_000,
    );
    const out = await run;
    const termination = readFileSync(join(io, "termination-log"), "utf8");
    expect(termination, out).toMatch(new RegExp(`^${env.registry.host}/workers/${account}@sha256:[a-f0-9]{64}$`));
    expect(out).toContain('"msg":"build succeeded"');
    // Assembling a Node app image (~150 MiB) and running it under containerd is CPU-bound: a budget, not a timing claim.
  }, 300_000);
});
