import { describe, expect, it } from "vitest";
import { imageConfig, imageManifest, type ImageConfig } from "./image.ts";
import { createLayer } from "./layer.ts";

const base: ImageConfig = {
  architecture: "amd64",
  os: "linux",
  config: { User: "65532:65532", Env: ["PATH=/usr/local/bin:/usr/bin:/bin"], Cmd: ["sh"], Labels: { "org.opencontainers.image.source": "base" } },
  rootfs: { type: "layers", diff_ids: ["sha256:base"] },
  history: [{ created_by: "base" }],
};

describe("imageConfig / imageManifest", () => {
  const layer = createLayer([{ path: "worker/config.capnp", type: "file", content: Buffer.from("c") }]);
  const settings = {
    entrypoint: ["/usr/local/bin/workerd", "serve", "/worker/config.capnp"],
    exposedPorts: [8081, 8000, 8080],
    labels: { "z.last": "1", "a.first": "2" },
    createdBy: "fireworkers job-builder",
  };

  it("stacks the layer on the base and applies the settings", () => {
    const config = imageConfig(base, [layer], settings);
    expect(config.rootfs.diff_ids).toEqual(["sha256:base", layer.diffId]);
    expect(config.config).toEqual({
      User: "65532:65532",
      Env: ["PATH=/usr/local/bin:/usr/bin:/bin"],
      Entrypoint: settings.entrypoint,
      ExposedPorts: { "8000/tcp": {}, "8080/tcp": {}, "8081/tcp": {} },
      Labels: { "a.first": "2", "org.opencontainers.image.source": "base", "z.last": "1" },
    });
    expect(config.created).toBe("1970-01-01T00:00:00Z");
    expect(config.history).toHaveLength(2);
  });

  it("is byte-identical for the same inputs, and lists base layers first", () => {
    const baseLayers = [{ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: "sha256:b", size: 1 }];
    const a = imageManifest(imageConfig(base, [layer], settings), baseLayers, [layer]);
    const b = imageManifest(imageConfig(structuredClone(base), [layer], { ...settings, labels: { "a.first": "2", "z.last": "1" } }), baseLayers, [layer]);
    expect(b.manifest.bytes).toEqual(a.manifest.bytes);
    const manifest = JSON.parse(a.manifest.bytes.toString());
    expect(manifest.layers.map((l: { digest: string }) => l.digest)).toEqual(["sha256:b", layer.digest]);
    expect(manifest.config).toEqual(a.config.descriptor);
  });
});
