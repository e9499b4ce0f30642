// The mapping of the apiserver's answers to Cloudflare envelopes: pure, so checked here without servers.
import { errorFromStatus } from "@fireworkers/kube";
import { describe, expect, it } from "vitest";
import { toApiError } from "./errors.ts";

const opts = { missingWorker: "script" as const, bodyLimit: 1 << 20 };
const map = (status: number) => toApiError(errorFromStatus("create WorkerVersion/v1", status, { kind: "Status", message: "spec.x: Invalid value" }), opts);

describe("apiserver errors as Cloudflare answers", () => {
  it("answers Invalid (422, 400) with 400/10021 naming what was refused, never 'retry'", () => {
    for (const status of [422, 400]) {
      const err = map(status);
      expect(err.status).toBe(400);
      expect(err.errors).toEqual([{ code: 10021, message: "Kubernetes refused create WorkerVersion/v1; the request was not completed." }]);
    }
  });

  it("answers an apiserver NotFound with a 500 that does not ask for a retry", () => {
    const err = map(404);
    expect(err.status).toBe(500);
    expect(err.errors[0]!.code).toBe(10002);
    expect(err.message).not.toMatch(/retry/i);
  });

  it("answers a Conflict with 409 and asks for a retry", () => {
    const err = map(409);
    expect(err.status).toBe(409);
    expect(err.errors[0]!.message).toMatch(/Please retry/);
  });
});
