import { describe, expect, it } from "vitest";
import { formatReference, parseReference, registryBaseUrl } from "./reference.ts";

const D = `sha256:${"a".repeat(64)}`;

describe("parseReference", () => {
  it.each([
    ["127.0.0.1:5000/workers/acme:v1", { registry: "127.0.0.1:5000", repository: "workers/acme", tag: "v1" }],
    [`ghcr.io/org/base@${D}`, { registry: "ghcr.io", repository: "org/base", digest: D }],
    [`localhost/x:t@${D}`, { registry: "localhost", repository: "x", tag: "t", digest: D }],
    ["busybox", { registry: "docker.io", repository: "library/busybox" }],
    ["user/app:1.0", { registry: "docker.io", repository: "user/app", tag: "1.0" }],
  ])("%s", (text, expected) => {
    expect(parseReference(text)).toEqual(expected);
    expect(parseReference(formatReference(parseReference(text)))).toEqual(expected);
  });

  it.each(["reg.io/UPPER/case", "reg.io/x@sha256:short", "reg.io/x:bad tag", "reg.io/../x"])("refuses %s", (text) => {
    expect(() => parseReference(text)).toThrow(/invalid/);
  });
});

describe("registryBaseUrl", () => {
  it("uses HTTPS except on loopback and for listed plain-HTTP registries, and Docker Hub's API host", () => {
    expect(registryBaseUrl("127.0.0.1:5000")).toBe("http://127.0.0.1:5000");
    expect(registryBaseUrl("localhost:5000")).toBe("http://localhost:5000");
    expect(registryBaseUrl("ghcr.io")).toBe("https://ghcr.io");
    expect(registryBaseUrl("registry.kube-system.svc:5000", new Set(["registry.kube-system.svc:5000"]))).toBe("http://registry.kube-system.svc:5000");
    expect(registryBaseUrl("docker.io")).toBe("https://registry-1.docker.io");
  });
});
