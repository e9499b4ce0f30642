import { describe, expect, it } from "vitest";
import { scriptSecretName, SECRET_NAME, secretEnvName } from "./naming.ts";

describe("naming", () => {
  it("gives distinct Secret names to (a-b, c) and (a, b-c)", () => {
    expect(scriptSecretName("a-b", "c")).not.toBe(scriptSecretName("a", "b-c"));
    expect(scriptSecretName("acc", "hello")).toBe("worker-secrets.acc.hello");
  });

  it("derives env var names from script and secret names, without collisions", () => {
    expect(secretEnvName("my-worker", "API_KEY")).toBe("S9_MY_WORKER_API_KEY");
    expect(secretEnvName("a", "B__X")).not.toBe(secretEnvName("a--b", "X"));
    expect(secretEnvName("a-b", "C")).not.toBe(secretEnvName("a", "B_C"));
    expect(SECRET_NAME.test("API_KEY")).toBe(true);
    expect(SECRET_NAME.test("bad-name")).toBe(false);
    expect(SECRET_NAME.test("__proto__")).toBe(false);
    expect(SECRET_NAME.test("constructor")).toBe(true);
  });
});
