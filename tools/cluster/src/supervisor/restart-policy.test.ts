import { describe, expect, it } from "vitest";
import { MAX_RESTARTS, RestartPolicy, WINDOW_MS } from "./restart-policy.ts";

describe("the supervisor's restart policy", () => {
  it("restarts up to MAX_RESTARTS deaths within the window, and gives up on the next", () => {
    const policy = new RestartPolicy();
    for (let i = 0; i < MAX_RESTARTS; i++) expect(policy.onExit(1000 + i)).toBe("restart");
    expect(policy.onExit(1000 + MAX_RESTARTS)).toBe("give-up");
  });

  it("forgets deaths older than the window", () => {
    const policy = new RestartPolicy();
    for (let i = 0; i < MAX_RESTARTS; i++) expect(policy.onExit(i)).toBe("restart");
    // The first death is now out of the window: MAX_RESTARTS in it again, not more.
    expect(policy.onExit(WINDOW_MS + 1)).toBe("restart");
  });
});
