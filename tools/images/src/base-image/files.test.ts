import { describe, expect, it } from "vitest";
import { generatedEntries, HOST_FILES } from "./files.ts";

describe("base image contents", () => {
  it("is glibc, CA certificates, the user files and /tmp", () => {
    expect(HOST_FILES.map((f) => f.imagePath)).toContain("etc/ssl/certs/ca-certificates.crt");
    expect(generatedEntries().find((e) => e.path === "etc/passwd")?.content?.toString()).toContain("workerd:x:65532:65532:");
    expect(generatedEntries().find((e) => e.path === "tmp")?.mode).toBe(0o1777);
  });
});
