// Secrets: names and types only ever leave the API; values go to the script's Kubernetes Secret.
import type { FastifyInstance } from "fastify";
import { SECRET_NAME } from "@fireworkers/crd-types";
import { changeSecrets } from "../actions/change-secrets.ts";
import type { Deps } from "../deps.ts";
import { ok } from "../http/envelope.ts";
import { invalid, secretNotFound, workerNotFound } from "../http/errors.ts";
import { accountId, answers, anyResult, scriptName, scriptParams, secretObject } from "../http/schemas.ts";
import { secretNames, type SecretState } from "../store/secrets.ts";

type ScriptParams = { accountId: string; scriptName: string };

const secretName = { type: "string", pattern: SECRET_NAME.source, description: "Letters, digits and '_', not starting with a digit; at most 128." } as const;
const secretParams = { type: "object", required: ["accountId", "scriptName", "secretName"], properties: { accountId, scriptName, secretName } } as const;
const secretBody = {
  type: "object",
  required: ["name", "text"],
  properties: { name: secretName, text: { type: "string", maxLength: 5 * 1024 }, type: { type: "string", enum: ["secret_text"] } },
} as const;

const list = (state: SecretState) => secretNames(state).map((name) => ({ name, type: "secret_text" }));

export function registerSecretRoutes(app: FastifyInstance, deps: Deps): void {
  const schema = (summary: string, extra: object = {}) => ({ summary, tags: ["secrets"], params: scriptParams, ...extra });

  app.get<{ Params: ScriptParams }>(
    "/accounts/:accountId/workers/scripts/:scriptName/secrets",
    { config: { auth: "account" }, schema: schema("The Worker's secrets (names and types)", { response: answers({ type: "array", items: secretObject }) }) },
    async (req) => {
      const script = await deps.scripts.get(req.params.accountId, req.params.scriptName);
      if (!script) throw workerNotFound();
      return ok(list(await deps.secrets.read(script)));
    },
  );

  app.get<{ Params: ScriptParams & { secretName: string } }>(
    "/accounts/:accountId/workers/scripts/:scriptName/secrets/:secretName",
    { config: { auth: "account" }, schema: { ...schema("One secret (name and type)"), params: secretParams, response: answers(secretObject) } },
    async (req) => {
      const script = await deps.scripts.get(req.params.accountId, req.params.scriptName);
      if (!script) throw workerNotFound();
      const state = await deps.secrets.read(script);
      if (!Object.hasOwn(state.updated, req.params.secretName)) throw secretNotFound(req.params.secretName);
      return ok({ name: req.params.secretName, type: "secret_text" });
    },
  );

  app.put<{ Params: ScriptParams; Body: { name: string; text: string; type?: string } }>(
    "/accounts/:accountId/workers/scripts/:scriptName/secrets",
    {
      config: { auth: "account" },
      schema: schema("Create or replace a secret (new version, deployed at 100%)", { body: secretBody, response: answers(secretObject) }),
    },
    async (req) => {
      await changeSecrets(deps, req.params.accountId, req.params.scriptName, { upserts: { [req.body.name]: req.body.text }, deletes: [] }, req.token);
      return ok({ name: req.body.name, type: "secret_text" });
    },
  );

  app.delete<{ Params: ScriptParams & { secretName: string } }>(
    "/accounts/:accountId/workers/scripts/:scriptName/secrets/:secretName",
    {
      config: { auth: "account" },
      schema: {
        ...schema("Delete a secret (new version, deployed at 100%)"),
        params: secretParams,
        querystring: { type: "object", properties: { url_encoded: { type: "boolean" } } },
        response: answers(anyResult),
      },
    },
    async (req) => {
      await changeSecrets(deps, req.params.accountId, req.params.scriptName, { upserts: {}, deletes: [req.params.secretName] }, req.token);
      return ok(null);
    },
  );

  app.patch<{ Params: ScriptParams; Body: { secrets: Record<string, { name?: string; text?: string; type?: string } | null> } }>(
    "/accounts/:accountId/workers/scripts/:scriptName/secrets-bulk",
    {
      config: { auth: "account" },
      schema: schema("Set and delete several secrets at once (JSON merge patch; null deletes)", {
        body: {
          type: "object",
          required: ["secrets"],
          properties: {
            secrets: {
              type: "object",
              maxProperties: 100,
              additionalProperties: {
                anyOf: [{ type: "null" }, { type: "object", required: ["text"], properties: { name: { type: "string" }, text: { type: "string" }, type: { type: "string" } } }],
              },
            },
          },
        },
        response: answers({ type: "array", items: secretObject }),
      }),
    },
    async (req) => {
      const upserts: Record<string, string> = {};
      const deletes: string[] = [];
      for (const [name, value] of Object.entries(req.body.secrets)) {
        if (!SECRET_NAME.test(name)) throw invalid(`body/secrets/${name}: secret names must match ${SECRET_NAME}`);
        if (value === null) deletes.push(name);
        else upserts[name] = value.text!;
      }
      const state = await changeSecrets(deps, req.params.accountId, req.params.scriptName, { upserts, deletes }, req.token);
      return ok(list(state));
    },
  );
}
