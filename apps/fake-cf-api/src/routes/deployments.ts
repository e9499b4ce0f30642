import type { FastifyInstance } from "fastify";
import type { WorkerVersion } from "@fireworkers/crd-types";
import { recordDeployment } from "../actions/deploy.ts";
import { secretNamesOf } from "../domain/bindings.ts";
import { createdMs } from "@fireworkers/crd-types";
import { changedSecretsSince, triggeredBy, validateSplit, type WireShare } from "../domain/deployments.ts";
import { deploymentToWire } from "../domain/wire.ts";
import type { Deps } from "../deps.ts";
import { ok } from "../http/envelope.ts";
import { invalid, secretsChanged, versionNotFound, workerNotFound } from "../http/errors.ts";
import { answers, deploymentObject, scriptParams } from "../http/schemas.ts";

type ScriptParams = { accountId: string; scriptName: string };
interface DeploymentBody {
  strategy: "percentage";
  versions: WireShare[];
  annotations?: Record<string, string>;
}

const deploymentBody = {
  type: "object",
  required: ["strategy", "versions"],
  properties: {
    strategy: { type: "string", enum: ["percentage"] },
    versions: {
      type: "array",
      minItems: 1,
      maxItems: 2,
      items: {
        type: "object",
        required: ["version_id", "percentage"],
        properties: {
          version_id: { type: "string", pattern: "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$" },
          percentage: { type: "number", minimum: 0, maximum: 100 },
        },
      },
    },
    annotations: { type: "object", properties: { "workers/message": { type: "string", maxLength: 1000 } }, additionalProperties: { type: "string" } },
    code_update_strategy: { type: "object" },
  },
  additionalProperties: true,
} as const;

export function registerDeploymentRoutes(app: FastifyInstance, deps: Deps): void {
  app.get<{ Params: ScriptParams }>(
    "/accounts/:accountId/workers/scripts/:scriptName/deployments",
    {
      config: { auth: "account" },
      schema: {
        summary: "The Worker's deployments, newest (in force) first",
        tags: ["deployments"],
        params: scriptParams,
        response: answers({ type: "object", properties: { deployments: { type: "array", items: deploymentObject } } }),
      },
    },
    async (req) => {
      const script = await deps.scripts.get(req.params.accountId, req.params.scriptName);
      if (!script) throw workerNotFound();
      return ok({ deployments: (await deps.scripts.deployments(script)).map(deploymentToWire) });
    },
  );

  app.post<{ Params: ScriptParams; Querystring: { force?: boolean }; Body: DeploymentBody }>(
    "/accounts/:accountId/workers/scripts/:scriptName/deployments",
    {
      config: { auth: "account" },
      schema: {
        summary: "Deploy one version at 100% or split traffic between two (versions deploy, rollback)",
        description: "Answers 10220 when secrets changed since a version being deployed was made, unless force=true.",
        tags: ["deployments"],
        params: scriptParams,
        querystring: { type: "object", properties: { force: { type: "boolean" } } },
        body: deploymentBody,
        response: answers(deploymentObject),
      },
    },
    async (req) => {
      const script = await deps.scripts.get(req.params.accountId, req.params.scriptName);
      if (!script) throw workerNotFound();
      let split;
      try {
        split = validateSplit(req.body.versions);
      } catch (err) {
        throw invalid(`body/${(err as Error).message}`);
      }
      const versions = new Map<string, WorkerVersion>();
      for (const share of split) {
        const version = await deps.scripts.version(script, share.versionId);
        if (!version) throw versionNotFound(share.versionId);
        versions.set(share.versionId, version);
      }
      const [current] = await deps.scripts.deployments(script);
      const currentNumbers = new Map<string, number>();
      for (const share of current?.spec.versions ?? []) {
        currentNumbers.set(share.versionId, (await deps.scripts.version(script, share.versionId))?.spec.number ?? 0);
      }
      const trigger = triggeredBy(split, current, (id) => versions.get(id)?.spec.number ?? currentNumbers.get(id) ?? 0);
      // Secrets are script-scoped here: rolling back serves today's secrets with yesterday's code. Like
      // Cloudflare, a rollback across secret changes needs confirming (10220, then ?force=true).
      if (trigger === "rollback" && !req.query.force) {
        const secrets = await deps.secrets.read(script);
        const [target] = versions.values();
        const changed = changedSecretsSince(secretNamesOf(target!.spec.bindings), createdMs(target!), secrets.updated);
        if (changed.length) throw secretsChanged(changed);
      }
      const deployment = await recordDeployment(deps, script, split, {
        triggeredBy: trigger,
        message: req.body.annotations?.["workers/message"],
        token: req.token,
      });
      return ok(deploymentToWire(deployment));
    },
  );
}
