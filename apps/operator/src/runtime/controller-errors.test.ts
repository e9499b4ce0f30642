import { Forbidden, Unavailable } from "@fireworkers/kube";
import { createLogger } from "@fireworkers/observability";
import { describe, expect, it } from "vitest";
import { Controller } from "./controller.ts";
import { createMetrics } from "./metrics.ts";

describe("Controller on apiserver errors", () => {
  it("counts them by reason, and logs a refusal (403) as an error", async () => {
    const lines: { level: number; msg: string }[] = [];
    // Captures every log call instead of printing it.
    const log = createLogger("test", {
      level: "info",
      hooks: {
        logMethod(args, _method, level) {
          lines.push({ level, msg: String(args.find((a) => typeof a === "string")) });
        },
      },
    });
    const metrics = createMetrics();
    const errors = [new Forbidden("apply Deployment/d: HTTP 403: forbidden", 403), new Unavailable("apply Deployment/d: timed out", undefined)];
    let failed!: () => void;
    const bothFailed = new Promise<void>((resolve) => (failed = resolve));
    const controller = new Controller(
      "WorkerBundle",
      async () => {
        const err = errors.shift();
        if (!errors.length) failed();
        if (err) throw err;
      },
      log,
      metrics,
      { reconcileTimeoutMs: 5_000, get: () => undefined, event: async () => undefined, baseDelayMs: 100 },
    );
    controller.start(1);
    controller.enqueue("b");
    await bothFailed;
    // The second failure's handling finishes after its throw: wait for its count with a deadline.
    const deadline = Date.now() + 5_000;
    while ((await metrics.apiserverErrors.get()).values.length < 2 && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    await controller.stop();

    const counted = (await metrics.apiserverErrors.get()).values.map((v) => `${v.labels.kind} ${v.labels.reason} ${v.value}`).sort();
    expect(counted).toEqual(["WorkerBundle Forbidden 1", "WorkerBundle Unavailable 1"]);
    const logged = lines.filter((l) => l.msg.startsWith("reconcile")).map((l) => `${l.level} ${l.msg}`);
    expect(logged).toEqual(["50 reconcile refused by the apiserver (RBAC): the operator lacks a permission", "40 reconcile failed"]);
  });
});
