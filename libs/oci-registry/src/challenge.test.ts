import { describe, expect, it } from "vitest";
import { backoffDelay, isRetryableStatus } from "./backoff.ts";
import { parseChallenge } from "./challenge.ts";

describe("parseChallenge", () => {
  it("reads Basic and Bearer challenges", () => {
    expect(parseChallenge('Basic realm="fireworkers-test"')).toEqual({ scheme: "basic", params: { realm: "fireworkers-test" } });
    expect(parseChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/x:pull,push"')).toEqual({
      scheme: "bearer",
      params: { realm: "https://auth.docker.io/token", service: "registry.docker.io", scope: "repository:library/x:pull,push" },
    });
    expect(parseChallenge(null)).toBeUndefined();
  });
});

describe("backoff", () => {
  it("grows exponentially, is capped, keeps at least half of its ceiling", () => {
    expect(backoffDelay(1, 250, 5000, () => 0)).toBe(125);
    expect(backoffDelay(3, 250, 5000, () => 1)).toBe(1000);
    expect(backoffDelay(10, 250, 5000, () => 1)).toBe(5000);
  });

  it("retries server failures and throttling, not client errors", () => {
    expect([500, 502, 503, 429, 408].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404].some(isRetryableStatus)).toBe(false);
  });
});
