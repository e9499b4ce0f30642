import { describe, expect, it } from "vitest";
import type { Binding } from "@fireworkers/crd-types";
import { resolveBindings, settingsBindings, storedBinding, withSecrets } from "./bindings.ts";

const vars: Binding[] = [
  { name: "GREETING", type: "plain_text", text: "hello" },
  { name: "CONFIG", type: "json", json: { a: 1 } },
  { name: "MY_KV", type: "kv_namespace", namespace_id: "0f2a" },
];
const ctx = (over: Partial<Parameters<typeof resolveBindings>[1]> = {}) => ({ strictInherit: true, keepBindings: [], previous: [], secretNames: [], ...over });

describe("resolveBindings", () => {
  it("keeps plain bindings as sent and strips secret values into secretValues", () => {
    const r = resolveBindings([{ name: "GREETING", type: "plain_text", text: "hi" }, { name: "SECRET_A", type: "secret_text", text: "alpha" }], ctx());
    expect(r.bindings).toEqual([{ name: "GREETING", type: "plain_text", text: "hi" }, { name: "SECRET_A", type: "secret_text" }]);
    expect(r.secretValues).toEqual({ SECRET_A: "alpha" });
    expect(JSON.stringify(r.bindings)).not.toContain("alpha");
  });

  it("resolves inherit from the latest version or an existing secret, and reports the rest under strict", () => {
    const r = resolveBindings(
      [
        { name: "MY_KV", type: "inherit" },
        { name: "API_KEY", type: "inherit" },
        { name: "DB_PASSWORD", type: "inherit" },
      ],
      ctx({ previous: vars, secretNames: ["API_KEY"] }),
    );
    expect(r.bindings).toEqual([vars[2], { name: "API_KEY", type: "secret_text" }]);
    expect(r.unresolved).toEqual(["DB_PASSWORD"]);
  });

  it("drops an unresolvable inherit without bindings_inherit=strict", () => {
    expect(resolveBindings([{ name: "X", type: "inherit" }], ctx({ strictInherit: false }))).toMatchObject({ bindings: [], unresolved: [] });
  });

  it("carries the latest version's bindings of keep_bindings types the upload does not name (--keep-vars)", () => {
    const r = resolveBindings([{ name: "GREETING", type: "plain_text", text: "new" }], ctx({ previous: vars, keepBindings: ["plain_text", "json", "secret_text"] }));
    expect(r.bindings).toEqual([{ name: "GREETING", type: "plain_text", text: "new" }, vars[1]]);
  });

  it("always keeps the script's secrets bound, unless the upload binds the name to something else", () => {
    const r = resolveBindings([{ name: "TOKEN", type: "plain_text", text: "public" }], ctx({ secretNames: ["TOKEN", "API_KEY"] }));
    expect(r.bindings).toEqual([{ name: "TOKEN", type: "plain_text", text: "public" }, { name: "API_KEY", type: "secret_text" }]);
  });

  it("refuses a secret name that cannot be an env var or Secret key", () => {
    expect(() => resolveBindings([{ name: "bad-name", type: "secret_text", text: "x" }], ctx())).toThrow(/secret name 'bad-name'/);
  });
});

describe("withSecrets / storedBinding", () => {
  it("replaces the secret set of a version's bindings and keeps the rest", () => {
    const before: Binding[] = [...vars, { name: "OLD", type: "secret_text" }];
    expect(withSecrets(before, ["B", "A"])).toEqual([...vars, { name: "A", type: "secret_text" }, { name: "B", type: "secret_text" }]);
  });

  it("never stores a secret's text", () => {
    expect(storedBinding({ name: "S", type: "secret_text", text: "v" })).toEqual({ name: "S", type: "secret_text" });
  });
});

describe("settingsBindings (wrangler 3 secret bulk)", () => {
  it("keeps bare entries, upserts secrets with text and deletes unlisted secrets", () => {
    const plan = settingsBindings(
      [
        { type: "plain_text", name: "GREETING" },
        { type: "secret_text", name: "API_KEY" },
        { type: "secret_text", name: "NEW", text: "n" },
      ],
      vars,
      ["API_KEY", "GONE"],
    );
    expect(plan.bindings).toEqual([vars[0], { name: "API_KEY", type: "secret_text" }, { name: "NEW", type: "secret_text" }]);
    expect(plan.upserts).toEqual({ NEW: "n" });
    expect(plan.deletes).toEqual(["GONE"]);
    expect(plan.unknown).toEqual([]);
  });

  it("reports bare entries that name nothing", () => {
    expect(settingsBindings([{ type: "kv_namespace", name: "NOPE" }], vars, []).unknown).toEqual(["NOPE"]);
  });
});
