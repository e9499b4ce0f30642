// The runtime base image: reproducible, and workerd really runs in it as the non-root user.
import { randomBytes } from "node:crypto";
import { describe, expect, inject, it } from "vitest";
import { RegistryClient } from "@fireworkers/oci-registry";
import { ctr } from "@fireworkers/testenv";
import { WORKERD_MAX_COMPAT_DATE } from "@fireworkers/workerd-config";
import { baseImage, pushBase } from "../test/base.ts";
import { buildBaseImage } from "./build-base-image.ts";

const { registry, containerd } = inject("env");

describe("runtime base image", () => {
  it("is reproducible: built twice from the same packages, same bytes and digest", () => {
    const again = buildBaseImage();
    expect(again.layer.digest).toBe(baseImage().layer.digest);
    expect(again.manifest.descriptor.digest).toBe(baseImage().manifest.descriptor.digest);
  });

  it("runs workerd under containerd, with User 65532:65532 in its config, and its version is the date the renderer clamps to", async () => {
    const ref = await pushBase(registry.host, undefined, `fireworkers/base-${randomBytes(3).toString("hex")}`);
    // The second push finds every blob in place.
    expect(await pushBase(registry.host, undefined, ref.split("@")[0]!.slice(registry.host.length + 1))).toBe(ref);
    const client = new RegistryClient({ registry: registry.host });
    const config = JSON.parse((await client.getBlob(ref.split("@")[0]!.slice(registry.host.length + 1), baseImage().config.descriptor.digest)).toString());
    expect(config.config.User).toBe("65532:65532");

    await ctr(containerd, ["images", "pull", "--plain-http", ref], 120_000);
    const id = `base-${randomBytes(3).toString("hex")}`;
    const out = await ctr(containerd, ["run", "--rm", ref, id, "/usr/local/bin/workerd", "--version"]);
    expect(out.trim()).toBe(`workerd ${WORKERD_MAX_COMPAT_DATE}`);
  });
});
