import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { RegistryClient, type Blob } from "./client.ts";
import { credentialsFromFile } from "./docker-config.ts";
import { MEDIA } from "./media-types.ts";
import { startFlakyProxy } from "@fireworkers/testenv";

const { registry, authRegistry } = inject("env");

const blob = (bytes: Buffer): Blob => ({ digest: `sha256:${createHash("sha256").update(bytes).digest("hex")}`, size: bytes.length, bytes });
const repo = (name: string) => `oci-client/${name}-${randomBytes(3).toString("hex")}`;

/** A minimal image: one "layer" blob and a config; enough for the registry to accept the manifest. */
function image() {
  const layer = blob(randomBytes(3000));
  const config = blob(Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [layer.digest] } })));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA.ociManifest,
      config: { mediaType: MEDIA.ociConfig, digest: config.digest, size: config.size },
      layers: [{ mediaType: MEDIA.ociLayerGzip, digest: layer.digest, size: layer.size }],
    }),
  );
  return { layer, config, manifest, digest: blob(manifest).digest };
}

describe("RegistryClient against docker-registry", () => {
  const client = new RegistryClient({ registry: registry.host });

  it("pings, uploads, skips an existing blob, and PUTs a manifest", async () => {
    await client.ping();
    const r = repo("push");
    const img = image();
    expect(await client.pushBlob(r, img.layer)).toBe("uploaded");
    expect(await client.pushBlob(r, img.layer)).toBe("exists");
    expect(await client.pushBlob(r, img.config)).toBe("uploaded");
    expect(await client.manifestDigest(r, "v1")).toBeUndefined();
    expect(await client.putManifest(r, "v1", img.manifest, MEDIA.ociManifest)).toBe(img.digest);
    expect(await client.manifestDigest(r, "v1")).toBe(img.digest);
    const got = await client.getManifest(r, img.digest);
    expect(got.bytes).toEqual(img.manifest);
    expect(got.mediaType).toBe(MEDIA.ociManifest);
  });

  it("uploads in chunks and the registry verifies the digest", async () => {
    const chunked = new RegistryClient({ registry: registry.host, monolithicMaxBytes: 1000, chunkBytes: 1024 });
    const r = repo("chunked");
    const big = blob(randomBytes(5000));
    expect(await chunked.pushBlob(r, big)).toBe("uploaded");
    expect(await chunked.getBlob(r, big.digest)).toEqual(big.bytes);
  });

  it("mounts a blob from another repository instead of uploading it", async () => {
    const from = repo("base");
    const to = repo("app");
    const b = blob(randomBytes(2000));
    await client.pushBlob(from, b);
    const sentBefore = client.bytesSent;
    expect(await client.pushBlob(to, b, { mountFrom: from })).toBe("mounted");
    expect(client.bytesSent).toBe(sentBefore);
    expect(await client.blobSize(to, b.digest)).toBe(b.size);
    // A source that does not have it: the registry opens an upload instead, and we upload.
    const c = blob(randomBytes(100));
    expect(await client.pushBlob(repo("other"), c, { mountFrom: repo("empty") })).toBe("uploaded");
  });

  it("reports a missing manifest clearly", async () => {
    await expect(client.getManifest(repo("none"), "v1")).rejects.toThrow(/GET manifest oci-client\/none-\w+:v1 on 127\.0\.0\.1:\d+: HTTP 404 not found \(MANIFEST_UNKNOWN/);
  });

  it("retries 5xx answers with backoff (through a proxy that fails twice, then forwards)", async () => {
    const proxy = await startFlakyProxy(registry.host, { fail503First: 2 });
    const retries: string[] = [];
    try {
      const viaProxy = new RegistryClient({ registry: proxy.host, backoffBaseMs: 10, onRetry: (r) => retries.push(r.reason) });
      await viaProxy.ping();
      expect(retries).toEqual(["HTTP 503", "HTTP 503"]);
      const img = image();
      const r = repo("retry");
      await viaProxy.pushBlob(r, img.layer);
      await viaProxy.pushBlob(r, img.config);
      expect(await viaProxy.putManifest(r, "v1", img.manifest, MEDIA.ociManifest)).toBe(img.digest);
    } finally {
      await proxy.close();
    }
  });

  it("names the registry and the network error when it is unreachable", async () => {
    const proxy = await startFlakyProxy(registry.host);
    await proxy.close();
    const gone = new RegistryClient({ registry: proxy.host, maxAttempts: 2, backoffBaseMs: 10 });
    await expect(gone.ping()).rejects.toThrow(new RegExp(`ping on ${proxy.host}: ECONNREFUSED`));
  });
});

describe("RegistryClient with basic auth", () => {
  const dir = mkdtempSync(join(tmpdir(), "dockerconfig-"));
  const configFile = (password: string) => {
    const path = join(dir, `config-${randomBytes(3).toString("hex")}.json`);
    const auth = Buffer.from(`${authRegistry.username}:${password}`).toString("base64");
    writeFileSync(path, JSON.stringify({ auths: { [authRegistry.host]: { auth } } }));
    return path;
  };

  it("pushes with credentials from a dockerconfigjson file", async () => {
    const credentials = credentialsFromFile(configFile(authRegistry.password), authRegistry.host);
    const client = new RegistryClient({ registry: authRegistry.host, credentials });
    await client.ping();
    const img = image();
    const r = repo("auth");
    await client.pushBlob(r, img.layer);
    await client.pushBlob(r, img.config);
    expect(await client.putManifest(r, "v1", img.manifest, MEDIA.ociManifest)).toBe(img.digest);
  });

  it("answers the challenge once for requests sent side by side", async () => {
    const client = new RegistryClient({ registry: authRegistry.host, credentials: credentialsFromFile(configFile(authRegistry.password), authRegistry.host) });
    const r = repo("parallel");
    const blobs = Array.from({ length: 5 }, () => blob(randomBytes(500)));
    expect(await Promise.all(blobs.map((b) => client.pushBlob(r, b)))).toEqual(Array(5).fill("uploaded"));
  });

  it("fails clearly with a wrong password, and without credentials", async () => {
    const wrong = new RegistryClient({ registry: authRegistry.host, credentials: credentialsFromFile(configFile("wrong"), authRegistry.host) });
    await expect(wrong.ping()).rejects.toThrow(`HTTP 401 unauthorized`);
    await expect(wrong.pushBlob(repo("x"), image().layer)).rejects.toThrow(/refused the credentials of user "fireworkers"/);
    const anonymous = new RegistryClient({ registry: authRegistry.host });
    await expect(anonymous.ping()).rejects.toThrow(/requires credentials and none are configured/);
  });
});
