import { createHash } from "node:crypto";
import { describe, expect, inject, it } from "vitest";
import { ctr } from "./containerd.ts";
import { busyboxImage, pushImage } from "./test/busybox-image.ts";

const { registry, authRegistry, containerd } = inject("env");
const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}` });

describe("OCI registry (docker-registry)", () => {
  const image = busyboxImage("hello-from-the-test-registry");

  it("round-trips a pushed image by digest", async () => {
    const put = await pushImage(registry.url, "testenv/busybox", "v1", image);
    expect(put.status).toBe(201);
    expect(put.headers.get("docker-content-digest")).toBe(image.manifest.digest);

    const manifest = await fetch(`${registry.url}/v2/testenv/busybox/manifests/${image.manifest.digest}`, {
      headers: { accept: image.manifest.mediaType },
    });
    expect(Buffer.from(await manifest.arrayBuffer())).toEqual(image.manifest.bytes);
    const layer = await fetch(`${registry.url}/v2/testenv/busybox/blobs/${image.layer.digest}`);
    const bytes = Buffer.from(await layer.arrayBuffer());
    expect(`sha256:${createHash("sha256").update(bytes).digest("hex")}`).toBe(image.layer.digest);
  });

  it("with basic auth refuses an anonymous push and a wrong password, and accepts its user", async () => {
    expect((await pushImage(authRegistry.url, "testenv/busybox", "v1", image)).status).toBe(401);
    expect((await pushImage(authRegistry.url, "testenv/busybox", "v1", image, basic(authRegistry.username, "wrong"))).status).toBe(401);
    expect((await pushImage(authRegistry.url, "testenv/busybox", "v1", image, basic(authRegistry.username, authRegistry.password))).status).toBe(201);
  });
});

describe("containerd + runc", () => {
  it("pull an image from the local registry and run it", async () => {
    const image = busyboxImage("hello-from-containerd");
    expect((await pushImage(registry.url, "testenv/run", "v1", image)).status).toBe(201);
    const ref = `${registry.host}/testenv/run:v1`;
    await ctr(containerd, ["images", "pull", "--plain-http", ref]);
    const out = await ctr(containerd, ["run", "--rm", ref, `run-${process.pid}`]);
    expect(out.trim()).toBe("hello-from-containerd");
  });

  it("pull from the basic-auth registry with credentials", async () => {
    const image = busyboxImage("hello-from-auth");
    const creds = basic(authRegistry.username, authRegistry.password);
    expect((await pushImage(authRegistry.url, "testenv/auth", "v1", image, creds)).status).toBe(201);
    const ref = `${authRegistry.host}/testenv/auth:v1`;
    await expect(ctr(containerd, ["images", "pull", "--plain-http", ref])).rejects.toThrow(/401|unauthorized/i);
    await ctr(containerd, ["images", "pull", "--plain-http", "--user", `${authRegistry.username}:${authRegistry.password}`, ref]);
    const images = await ctr(containerd, ["images", "ls", "-q"]);
    expect(images).toContain(ref);
  });
});
