import { describe, expect, it } from "vitest";
import { Conflict, errorFromCause, errorFromStatus, Forbidden, Invalid, NotFound, Unavailable } from "./errors.ts";

describe("errorFromStatus", () => {
  it.each([
    [404, NotFound, "NotFound"],
    [409, Conflict, "Conflict"],
    [401, Forbidden, "Forbidden"],
    [403, Forbidden, "Forbidden"],
    [400, Invalid, "Invalid"],
    [422, Invalid, "Invalid"],
    [410, Invalid, "Invalid"],
    [429, Unavailable, "Unavailable"],
    [500, Unavailable, "Unavailable"],
    [503, Unavailable, "Unavailable"],
    [504, Unavailable, "Unavailable"],
  ] as const)("maps HTTP %i to %s", (status, type, reason) => {
    const err = errorFromStatus("get Secret/s", status, { kind: "Status", message: "the server said so" });
    expect(err).toBeInstanceOf(type);
    expect(err.reason).toBe(reason);
    expect(err.status).toBe(status);
    expect(err.message).toBe(`get Secret/s: HTTP ${status}: the server said so`);
  });

  it("keeps a short text body when the answer is not a Status", () => {
    expect(errorFromStatus("list Job", 502, "x".repeat(1000)).message).toBe(`list Job: HTTP 502: ${"x".repeat(300)}`);
  });
});

describe("errorFromCause", () => {
  it("says a timeout timed out", () => {
    const err = errorFromCause("get Lease/l", new DOMException("The operation was aborted due to timeout", "TimeoutError"));
    expect(err).toBeInstanceOf(Unavailable);
    expect(err.status).toBeUndefined();
    expect(err.message).toBe("get Lease/l: timed out");
  });

  it("names the connection error hidden in undici's cause", () => {
    const err = errorFromCause("get Lease/l", new TypeError("fetch failed", { cause: new Error("connect ECONNREFUSED 127.0.0.1:1") }));
    expect(err.reason).toBe("Unavailable");
    expect(err.message).toBe("get Lease/l: fetch failed: connect ECONNREFUSED 127.0.0.1:1");
  });
});
