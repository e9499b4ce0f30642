import { describe, expect, it } from "vitest";
import { bearer, decodeTokenData, encodeTokenData, hashMatches, newToken, tokenHash, tokenSecretName } from "./tokens.ts";
import { routeHost, routeZoneId, zoneId } from "./zones.ts";

describe("tokens", () => {
  it("are random, Latin-1, and stored only as a sha256 that names their Secret", () => {
    const a = newToken();
    expect(a).toMatch(/^fwk_[A-Za-z0-9_-]{43}$/);
    expect(newToken()).not.toBe(a);
    const hash = tokenHash(a);
    expect(tokenSecretName(hash)).toBe(`api-token.${hash}`);
    const data = encodeTokenData(hash, { id: "i", name: "n", email: "e@x", accounts: ["a1", "a2"] });
    expect(Object.values(data).join()).not.toContain(a);
    const b64 = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString("base64")]));
    expect(decodeTokenData(b64)).toEqual({ sha256: hash, id: "i", name: "n", email: "e@x", accounts: ["a1", "a2"] });
  });

  it("compare hashes in constant time and only when both are sha256", () => {
    const h = tokenHash("x");
    expect(hashMatches(h, h)).toBe(true);
    expect(hashMatches(h, tokenHash("y"))).toBe(false);
    expect(hashMatches("", "")).toBe(false);
  });

  it("read the bearer token of an Authorization header", () => {
    expect(bearer("Bearer abc")).toBe("abc");
    expect(bearer("bearer abc ")).toBe("abc");
    expect(bearer("Basic abc")).toBeUndefined();
    expect(bearer(undefined)).toBeUndefined();
  });
});

describe("zones", () => {
  it("give a route the zone wrangler would find for it", () => {
    expect(routeHost("https://*.api.example.com:8443/x/*")).toBe("api.example.com");
    expect(routeZoneId("acc", { pattern: "api.example.com/*", zoneName: "example.com" })).toBe(zoneId("acc", "example.com"));
    expect(routeZoneId("acc", { pattern: "example.com/other/*" })).toBe(zoneId("acc", "example.com"));
    expect(routeZoneId("acc", { pattern: "x/*", zoneId: "z" })).toBe("z");
    expect(zoneId("acc", "example.com")).not.toBe(zoneId("other", "example.com"));
  });
});
