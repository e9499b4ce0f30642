import { describe, expect, it } from "vitest";
import { registrySettingsFromEnv } from "./from-env.ts";

describe("settings", () => {
  it("reads the registry settings", () => {
    expect(registrySettingsFromEnv({ REGISTRY_AUTH_FILE: "/x", REGISTRY_PLAIN_HTTP: "a:5000, b:80" })).toEqual({ authFile: "/x", plainHttp: new Set(["a:5000", "b:80"]) });
  });
});
