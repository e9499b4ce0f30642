import { describe, expect, it } from "vitest";
import { ValueCache } from "./cache.ts";

describe("ValueCache", () => {
  const setup = () => {
    let now = 1_000_000;
    const cache = new ValueCache(1024 * 1024, 1024, () => now);
    return { cache, tick: (ms: number) => (now += ms), at: () => now };
  };
  const k = ValueCache.key("ns", "k");

  it("answers while younger than the read's cacheTtl", () => {
    const { cache, tick } = setup();
    cache.set(k, cache.begin(), { value: Buffer.from("v") });
    expect(cache.get(k, 60)?.value?.toString()).toBe("v");
    tick(30_000);
    expect(cache.get(k, 60)).toBeDefined();
    expect(cache.get(k, 30)).toBeUndefined();
    tick(30_000);
    expect(cache.get(k, 60)).toBeUndefined();
  });

  it("never answers an expired value", () => {
    const { cache, at, tick } = setup();
    cache.set(k, cache.begin(), { value: Buffer.from("v"), expiration: Math.floor(at() / 1000) + 5 });
    tick(5_000);
    expect(cache.get(k, 60)).toBeUndefined();
  });

  it("drops an entry on this replica's write and does not cache a read that raced it", () => {
    const { cache } = setup();
    cache.set(k, cache.begin(), { value: Buffer.from("old") });
    const started = cache.begin();
    cache.invalidate(k);
    expect(cache.get(k, 60)).toBeUndefined();
    cache.set(k, started, { value: Buffer.from("old, read before the write") });
    expect(cache.get(k, 60)).toBeUndefined();
    cache.set(k, cache.begin(), { value: Buffer.from("new") });
    expect(cache.get(k, 60)?.value?.toString()).toBe("new");
  });

  it("caches absence, and leaves values larger than the per-value limit out", () => {
    const { cache } = setup();
    cache.set(k, cache.begin(), { value: null });
    expect(cache.get(k, 60)).toEqual(expect.objectContaining({ value: null }));
    const big = ValueCache.key("ns", "big");
    cache.set(big, cache.begin(), { value: Buffer.alloc(2048) });
    expect(cache.get(big, 60)).toBeUndefined();
  });
});
