import { describe, expect, it } from "vitest";
import { fnv1a, pickRoute, pickVersion, pointForKey, splitKey } from "./routing.mjs";

const scripts = ["api", "web", "127"];

describe("pickRoute", () => {
  it("routes <script>.<subdomain>.<domain> by its first label", () => {
    expect(pickRoute("api.acme.example.com", "/x", scripts, null)).toEqual({ script: "api", pathname: "/x", prefix: null });
    expect(pickRoute("API.acme.example.com:8000", "/", scripts, undefined)?.script).toBe("api");
  });

  it("with a host suffix, only <script>.<suffix> matches", () => {
    expect(pickRoute("web.acme.example.com", "/", scripts, "acme.example.com")?.script).toBe("web");
    expect(pickRoute("web.other.example.com", "/", scripts, "acme.example.com")).toBeNull();
    expect(pickRoute("web.x.acme.example.com", "/", scripts, "acme.example.com")).toBeNull();
  });

  it("falls back to the path prefix /<script> and strips it", () => {
    expect(pickRoute("127.0.0.1:8000", "/web/a/b", scripts, null)).toEqual({ script: "web", pathname: "/a/b", prefix: "/web" });
    expect(pickRoute("localhost", "/api", scripts, null)).toEqual({ script: "api", pathname: "/", prefix: "/api" });
    expect(pickRoute("localhost", "/apix/y", scripts, null)).toBeNull();
  });

  it("does not take an IP address or a two-label host for a script host", () => {
    expect(pickRoute("127.0.0.1", "/", scripts, null)).toBeNull();
    expect(pickRoute("api.example", "/", scripts, null)).toBeNull();
  });
});

describe("split", () => {
  it("assigns [0, p0) to the first version and the rest to the second", () => {
    expect(pickVersion([70, 30], 0)).toBe(0);
    expect(pickVersion([70, 30], 69.99)).toBe(0);
    expect(pickVersion([70, 30], 70)).toBe(1);
    expect(pickVersion([100, 0], 99.99)).toBe(0);
    expect(pickVersion([0, 100], 0)).toBe(1);
  });

  it("is sticky for a key and spreads keys evenly", () => {
    expect(pointForKey("user-42")).toBe(pointForKey("user-42"));
    expect(fnv1a("")).toBe(0x811c9dc5);
    const first = Array.from({ length: 10_000 }, (_, i) => pickVersion([50, 50], pointForKey(`user-${i}`))).filter((v) => v === 0).length;
    expect(first).toBeGreaterThan(4_700);
    expect(first).toBeLessThan(5_300);
  });

  it("reads the key from the header, else the cookie", () => {
    expect(splitKey(new Headers({ "x-fireworkers-split-key": "h", cookie: "fireworkers-split=c" }))).toBe("h");
    expect(splitKey(new Headers({ cookie: "a=1; fireworkers-split=c; b=2" }))).toBe("c");
    expect(splitKey(new Headers())).toBeNull();
  });
});
