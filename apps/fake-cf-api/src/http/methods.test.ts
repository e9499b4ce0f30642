import { describe, expect, it } from "vitest";
import { allowedMethods } from "./methods.ts";

describe("allowedMethods", () => {
  const allowed = allowedMethods([
    { method: "GET", url: "/a/:id/secrets" },
    { method: "PUT", url: "/a/:id/secrets" },
    { method: "DELETE", url: "/a/:id/secrets/:name" },
    { method: "GET", url: "/a/:id/secrets/list" },
  ]);

  it("lists the methods of every template the path matches, with HEAD for GET", () => {
    expect(allowed("/a/x/secrets")).toEqual(["GET", "HEAD", "PUT"]);
    // A static segment and a parameter both match: both templates' methods.
    expect(allowed("/a/x/secrets/list")).toEqual(["DELETE", "GET", "HEAD"]);
    expect(allowed("/a/x/secrets/KEY")).toEqual(["DELETE"]);
  });

  it("answers undefined for a path no template matches (then it is a 404)", () => {
    expect(allowed("/a/x")).toBeUndefined();
    expect(allowed("/a/x/secrets/KEY/more")).toBeUndefined();
    expect(allowed("/b/x/secrets")).toBeUndefined();
    // A parameter never matches an empty segment.
    expect(allowed("/a//secrets")).toBeUndefined();
  });
});
