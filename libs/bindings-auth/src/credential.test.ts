import { describe, expect, it } from "vitest";
import { checkGatewayKey, mintCredential, verifyCredential } from "./index.ts";

const key = checkGatewayKey("k".repeat(32));
const other = checkGatewayKey("o".repeat(32));

describe("bindings credential", () => {
  it("names the account it was minted for", () => {
    expect(verifyCredential(key, mintCredential(key, "acc-1"))).toBe("acc-1");
  });

  it("refuses a credential of another key, a changed account, a changed mac, or garbage", () => {
    const good = mintCredential(key, "acc-1");
    expect(verifyCredential(other, good)).toBeUndefined();
    expect(verifyCredential(key, good.replace("acc-1", "acc-2"))).toBeUndefined();
    expect(verifyCredential(key, `${good.slice(0, -1)}${good.endsWith("A") ? "B" : "A"}`)).toBeUndefined();
    for (const bad of [undefined, "", "Bearer x", "fwb1.acc-1.", "fwb2" + good.slice(4), `${good}x`]) expect(verifyCredential(key, bad)).toBeUndefined();
  });

  it("refuses short keys and bad account ids", () => {
    expect(() => checkGatewayKey("short")).toThrow(/32 bytes/);
    expect(() => mintCredential(key, "../x")).toThrow(/account/);
  });
});
