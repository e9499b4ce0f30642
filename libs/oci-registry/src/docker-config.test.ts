import { describe, expect, it } from "vitest";
import { credentialsFor } from "./docker-config.ts";

const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("credentialsFor (kubernetes.io/dockerconfigjson)", () => {
  it("reads auth as base64 user:password, and a password with colons", () => {
    const doc = JSON.stringify({ auths: { "127.0.0.1:5001": { auth: b64("ci:pa:ss") } } });
    expect(credentialsFor(doc, "127.0.0.1:5001")).toEqual({ username: "ci", password: "pa:ss" });
    expect(credentialsFor(doc, "127.0.0.1:5000")).toBeUndefined();
  });

  it("reads username/password fields and keys written with a scheme or Docker Hub's v1 URL", () => {
    expect(credentialsFor(JSON.stringify({ auths: { "https://ghcr.io": { username: "u", password: "p" } } }), "ghcr.io")).toEqual({ username: "u", password: "p" });
    expect(credentialsFor(JSON.stringify({ auths: { "https://index.docker.io/v1/": { auth: b64("d:h") } } }), "docker.io")).toEqual({ username: "d", password: "h" });
  });

  it("says what is wrong with a broken document", () => {
    expect(() => credentialsFor("{", "x")).toThrow(/not valid JSON/);
    expect(() => credentialsFor(JSON.stringify({ auths: { x: { auth: b64("nocolon") } } }), "x")).toThrow(/user:password/);
    expect(() => credentialsFor(JSON.stringify({ auths: { x: {} } }), "x")).toThrow(/neither/);
  });
});
