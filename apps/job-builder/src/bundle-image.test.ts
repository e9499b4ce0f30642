import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { JobBuilderSpec } from "@fireworkers/crd-types";
import { renderConfig } from "@fireworkers/workerd-config";
import { parseBaseRef } from "./base-source.ts";
import { bundleEntries, bundleImageSettings } from "./bundle-image.ts";
import { checkModule, moduleId, modulesToFetch } from "./download-modules.ts";

const V1 = "11111111-1111-4111-8111-111111111111";
const sha = (s: string) => createHash("sha256").update(s).digest("hex");
const storage = { bucket: "b", prefix: `accounts/acme/scripts/api/versions/${V1}/` };
const spec: JobBuilderSpec = {
  accountId: "acme",
  releaseName: "acme",
  inputHash: "h",
  image: { repository: "127.0.0.1:5000/workers/acme", tag: "h" },
  scripts: [
    {
      name: "api",
      workerNumber: 0,
      versions: [
        {
          versionId: V1,
          percentage: 100,
          storage,
          mainModule: "index.js",
          modules: [
            { name: "index.js", type: "esm", sha256: sha("code"), size: 4 },
            { name: "index.js.map", type: "sourcemap", sha256: sha("{}"), size: 2 },
          ],
        },
      ],
    },
  ],
};

describe("modules", () => {
  it("fetches every module but source maps", () => {
    expect(modulesToFetch(spec.scripts).map((m) => m.name)).toEqual(["index.js"]);
  });

  it("says how a module differs from its record", () => {
    const [m] = modulesToFetch(spec.scripts);
    expect(checkModule(m!, Buffer.from("code"))).toBeUndefined();
    expect(checkModule(m!, Buffer.from("codes"))).toBe("size 5 bytes, expected 4");
    expect(checkModule(m!, Buffer.from("CODE"))).toMatch(/^sha256 [a-f0-9]{64}, expected [a-f0-9]{64}$/);
  });
});

describe("bundle image", () => {
  const rendered = renderConfig(spec.scripts);

  it("puts the config and every embedded file under /worker", () => {
    const entries = bundleEntries(rendered, new Map([[moduleId("api", V1, "index.js"), Buffer.from("code")]]));
    expect(entries.map((e) => e.path)).toContain(`worker/scripts/api/${V1}/index.js`);
    expect(entries[0]!.path).toBe("worker/config.capnp");
    expect(() => bundleEntries(rendered, new Map())).toThrow(/was not downloaded/);
  });

  it("runs workerd on the config as the non-root user, exposes the sockets, labels the inputs", () => {
    const settings = bundleImageSettings(spec, rendered, { ref: "r/base", digest: "sha256:b" });
    expect(settings.entrypoint).toEqual(["/usr/local/bin/workerd", "serve", "/worker/config.capnp"]);
    expect(settings.user).toBe("65532:65532");
    expect(settings.exposedPorts).toEqual([8000, 8080]);
    expect(settings.labels).toMatchObject({ "io.fireworkers.account": "acme", "io.fireworkers.versions": `api=${V1}:100`, "io.fireworkers.ports": "router=8000,api=8080" });
  });
});

describe("settings", () => {
  it("needs the base image by digest", () => {
    expect(() => parseBaseRef(undefined)).toThrow(/BASE_IMAGE is required/);
    expect(() => parseBaseRef("r.io/base:v1")).toThrow(/by digest/);
    expect(parseBaseRef(`r.io/base@sha256:${"a".repeat(64)}`).repository).toBe("base");
  });
});
