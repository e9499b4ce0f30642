// The job-builder end to end, against the real components: S3 (versitygw), the apiserver, docker-registry
// (open and basic auth), containerd + runc running the built image on the host network, and workerd in it.
import { randomBytes } from "node:crypto";
import { get as httpGet } from "node:http";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { API_VERSION, type JobBuilder, type JobBuilderSpec } from "@fireworkers/crd-types";
import { RegistryClient } from "@fireworkers/oci-registry";
import { pushBase, SECRET_ENV, SECRET_VALUE, uploadTestBundle } from "@fireworkers/images";
import { ctr, freePort, kubectl, s3Client, startFlakyProxy } from "@fireworkers/testenv";
import { builderEnv, dockerConfigFile, lastLog, runBuilder, writeSpecFile } from "./test/run-builder.ts";

const env = inject("env");
const s3 = s3Client(env.s3);
const account = `acme-${randomBytes(3).toString("hex")}`;
const repository = `${env.registry.host}/workers/${account}`;
const asObject = (name: string, spec: JobBuilderSpec): JobBuilder => ({ apiVersion: API_VERSION, kind: "JobBuilder", metadata: { name, namespace: "default" }, spec });

let spec: JobBuilderSpec;
let baseRef: string;

beforeAll(async () => {
  [baseRef, spec] = await Promise.all([pushBase(env.registry.host), uploadTestBundle(s3, env.s3.bucket, account, repository)]);
});
afterAll(() => s3.destroy());

describe("job-builder: build, push, run", () => {
  const name = `jb-${account}`;
  const containerId = `bundle-${account}`;
  const ports = { router: 0, calc: 0, greeter: 0, canary: 0 };
  let image = "";
  let digest = "";

  beforeAll(async () => {
    await kubectl(env.kube, ["apply", "-f", "-"], JSON.stringify(asObject(name, spec)));
  });

  afterAll(async () => {
    await ctr(env.containerd, ["tasks", "delete", "--force", containerId]).catch(() => undefined);
    await ctr(env.containerd, ["containers", "delete", containerId]).catch(() => undefined);
  });

  it("builds the image from the JobBuilder in the apiserver, pushes it and reports its digest", async () => {
    const run = await runBuilder(builderEnv(env, { JOB_BUILDER_NAME: name, NAMESPACE: "default", BASE_IMAGE: baseRef }));
    expect(run.code, JSON.stringify(run.logs.slice(-3)) + run.stderr).toBe(0);
    expect(lastLog(run)).toMatchObject({ msg: "build succeeded", outcome: "pushed" });
    image = run.termination;
    expect(image).toMatch(new RegExp(`^${repository.replaceAll(".", "\\.")}@sha256:[a-f0-9]{64}$`));
    digest = image.split("@")[1]!;
    // Progress logs for each step, with sizes and durations.
    for (const msg of ["modules downloaded and verified", "config rendered", "image assembled", "image pushed"]) {
      expect(run.logs.find((l) => l.msg === msg), msg).toMatchObject({ ms: expect.any(Number) });
    }
    const status = JSON.parse(await kubectl(env.kube, ["get", "jobbuilder", name, "-n", "default", "-o", "json", "--show-managed-fields"])) as JobBuilder & {
      metadata: { managedFields: { manager: string; subresource?: string }[] };
    };
    expect(status.status).toMatchObject({ imageDigest: digest, image });
    expect(status.metadata.managedFields.some((f) => f.manager === "fireworkers-job-builder" && f.subresource === "status")).toBe(true);
  });

  it("runs under containerd: per-script ports, the router by Host and by path, the secret from the environment", async () => {
    for (const k of Object.keys(ports) as (keyof typeof ports)[]) ports[k] = await freePort();
    await ctr(env.containerd, ["images", "pull", "--plain-http", image], 120_000);
    // The image binds 8000 and 8080+n; on the host network those are taken per test run, so the sockets
    // are moved with workerd's own `-s name=address` flag (the command replaces the image's entrypoint).
    await ctr(env.containerd, [
      "run", "-d", "--net-host",
      "--env", `${SECRET_ENV}=${SECRET_VALUE}`,
      "--env", "FIREWORKERS_HOST_SUFFIX=acme.workers.test",
      image, containerId,
      "/usr/local/bin/workerd", "serve", "/worker/config.capnp",
      "-s", `http-router=127.0.0.1:${ports.router}`,
      "-s", `http-calc=127.0.0.1:${ports.calc}`,
      "-s", `http-greeter=127.0.0.1:${ports.greeter}`,
      "-s", `http-canary=127.0.0.1:${ports.canary}`,
    ]);
    await waitForHttp(`http://127.0.0.1:${ports.router}/`);

    const calc = await (await fetch(`http://127.0.0.1:${ports.calc}/x?a=7&b=5`)).json();
    expect(calc).toMatchObject({ worker: "calc", sum: 12, double: 14, path: "/x" });

    const greeter = await (await fetch(`http://127.0.0.1:${ports.greeter}/`)).json();
    expect(greeter).toEqual({
      worker: "greeter",
      greeting: 'hello "world"',
      config: { retries: 3, regions: ["eu", "us"] },
      token: SECRET_VALUE,
      calc: { worker: "calc", sum: 42, double: 80, path: "/", host: null },
      path: "/",
      prefix: null,
    });

    const byHost = await getWithHost(ports.router, "/h?a=1&b=2", "calc.acme.workers.test");
    expect(JSON.parse(byHost.body)).toMatchObject({ worker: "calc", sum: 3, path: "/h", host: "calc.acme.workers.test" });
    const byPath = await (await fetch(`http://127.0.0.1:${ports.router}/greeter/some/path`)).json();
    expect(byPath).toMatchObject({ worker: "greeter", path: "/some/path", prefix: "/greeter", token: SECRET_VALUE });

    const otherSuffix = await getWithHost(ports.router, "/", "calc.other.example.com");
    expect(otherSuffix.status).toBe(404);
    expect(otherSuffix.body).toMatch(/no worker is deployed for host "calc.other.example.com"/);
  });

  it("splits 50/50 between two versions over 1,000 requests (random without a key, sticky with one)", async () => {
    const counts = { a: 0, b: 0 };
    for (let batch = 0; batch < 10; batch++) {
      const answers = await Promise.all(
        Array.from({ length: 100 }, async () => ((await (await fetch(`http://127.0.0.1:${ports.canary}/`)).json()) as { version: "a" | "b" }).version),
      );
      for (const v of answers) counts[v]++;
    }
    // Binomial(1000, 0.5): sd ≈ 15.8; 430..570 is ±4.4 sd, a false failure about once in 100,000 runs.
    expect(counts.a + counts.b).toBe(1000);
    expect(counts.a).toBeGreaterThan(430);
    expect(counts.a).toBeLessThan(570);
    const sticky = new Set(
      await Promise.all(
        Array.from({ length: 20 }, async () => ((await (await fetch(`http://127.0.0.1:${ports.canary}/`, { headers: { "x-fireworkers-split-key": "user-7" } })).json()) as { version: string }).version),
      ),
    );
    expect(sticky.size).toBe(1);
  });

  it("keeps the secret out of every blob of the image", async () => {
    const client = new RegistryClient({ registry: env.registry.host });
    const repo = repository.slice(env.registry.host.length + 1);
    const manifest = await client.getManifest(repo, digest);
    expect(manifest.bytes.includes(SECRET_VALUE)).toBe(false);
    const doc = JSON.parse(manifest.bytes.toString()) as { config: { digest: string }; layers: { digest: string }[] };
    expect(doc.layers).toHaveLength(2);
    expect((await client.getBlob(repo, doc.config.digest)).includes(SECRET_VALUE)).toBe(false);
    const tars = await Promise.all(doc.layers.map(async (l) => gunzipSync(await client.getBlob(repo, l.digest))));
    for (const [i, tar] of tars.entries()) expect(tar.includes(SECRET_VALUE), doc.layers[i]!.digest).toBe(false);
    // The scan reads the real content: the bundle layer names the env var the secret comes from.
    expect(tars[1]!.includes(`fromEnvironment = "${SECRET_ENV}"`)).toBe(true);
  });

  it("gives the same digest for the same inputs and skips the second push", async () => {
    const run = await runBuilder(builderEnv(env, { JOB_BUILDER_NAME: name, NAMESPACE: "default", BASE_IMAGE: baseRef }));
    expect(run.code).toBe(0);
    expect(run.termination).toBe(image);
    expect(lastLog(run)).toMatchObject({ outcome: "skipped" });
    expect(run.logs.some((l) => l.msg === "image already in the registry under this tag: push skipped")).toBe(true);
    expect(run.logs.some((l) => l.msg === "image pushed")).toBe(false);
  });
});

describe("job-builder failures and credentials", () => {
  it("pushes to a basic-auth registry with a dockerconfigjson, and fails clearly with a wrong password", async () => {
    const { host, username, password } = env.authRegistry;
    const base = await pushBase(host, { username, password });
    const target = { ...spec, image: { repository: `${host}/workers/${account}`, tag: "auth" } };
    const file = writeSpecFile(asObject("auth", target));
    const ok = await runBuilder(builderEnv(env, { BASE_IMAGE: base, REGISTRY_AUTH_FILE: dockerConfigFile(host, username, password) }), ["--file", file]);
    expect(ok.code, JSON.stringify(ok.logs.slice(-2))).toBe(0);
    expect(ok.termination).toMatch(new RegExp(`^${host}/workers/${account}@sha256:`));

    const wrong = await runBuilder(builderEnv(env, { BASE_IMAGE: base, REGISTRY_AUTH_FILE: dockerConfigFile(host, username, "wrong") }), ["--file", file]);
    expect(wrong.code).toBe(1);
    expect(wrong.termination).toMatch(new RegExp(`build failed: ping on ${host}: HTTP 401 unauthorized.*refused the credentials of user "${username}"`));
  });

  it("fails clearly when a module in S3 does not match its recorded sha256", async () => {
    const tampered = structuredClone(spec);
    const module = tampered.scripts[0]!.versions[0]!.modules[1]!;
    module.sha256 = "0".repeat(64);
    const run = await runBuilder(builderEnv(env, { BASE_IMAGE: baseRef }), ["--file", writeSpecFile(asObject("tampered", tampered))]);
    expect(run.code).toBe(1);
    expect(run.termination).toMatch(new RegExp(`build failed: checksum mismatch for module ${module.name} of ${tampered.scripts[0]!.name} version .* \\(s3://${env.s3.bucket}/.*\\): sha256 [a-f0-9]{64}, expected 0{64}`));
  });

  it("exits non-zero when the registry goes down mid-push, and the tag is not created", async () => {
    // A local proxy that forwards to the real registry, then cuts every connection once 5 KB of the
    // bundle layer have gone through (and stays down): the registry is not faked, only made unreachable.
    const proxy = await startFlakyProxy(env.registry.host, { cutAfterBodyBytes: 5_000 });
    try {
      const base = await pushBase(proxy.host);
      const target = { ...spec, image: { repository: `${proxy.host}/workers/${account}-down`, tag: "v1" } };
      const run = await runBuilder(builderEnv(env, { BASE_IMAGE: base }), ["--file", writeSpecFile(asObject("down", target))]);
      expect(run.code).toBe(1);
      expect(run.termination).toMatch(/build failed: upload workers\/acme-\w+-down@sha256:\w+ on 127\.0\.0\.1:\d+: (ECONNRESET|ECONNREFUSED|UND_ERR_SOCKET)/);
      const direct = new RegistryClient({ registry: env.registry.host });
      expect(await direct.manifestDigest(`workers/${account}-down`, "v1")).toBeUndefined();
    } finally {
      await proxy.close();
    }
  });
});

/** fetch() does not let a caller set Host; node:http does. */
function getWithHost(port: number, path: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    httpGet({ host: "127.0.0.1", port, path, headers: { host } }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (c: string) => (body += c)).on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    }).on("error", reject);
  });
}

async function waitForHttp(url: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await fetch(url);
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
