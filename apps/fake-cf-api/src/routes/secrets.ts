// Secrets: names and types only ever leave the API; values go to the script's Kubernetes Secret. Paths are
// relative to /client/v4/accounts/:accountId.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { SECRET_NAME } from "@fireworkers/crd-types";
import { changeSecrets } from "../actions/change-secrets.ts";
import { Invalid, NotFound } from "../domain/errors.ts";
import { ok } from "../http/envelope.ts";
import { answers, anyResult, MapOf, scriptParams, secretName, secretObject, secretParams, StringEnum } from "../http/schemas.ts";
import { secretNames, type SecretState } from "../store/secrets.ts";

const secretBody = Type.Object({ name: secretName, text: Type.String({ maxLength: 5 * 1024 }), type: Type.Optional(StringEnum(["secret_text"])) });
const bulkBody = Type.Object({
  secrets: MapOf(Type.Union([Type.Null(), Type.Object({ name: Type.Optional(Type.String()), text: Type.String(), type: Type.Optional(Type.String()) })]), { maxProperties: 100 }),
});

const list = (state: SecretState) => secretNames(state).map((name) => ({ name, type: "secret_text" }));

export const secretRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { scripts, secrets } = app.stores;
  const tags = ["secrets"];

  app.get(
    "/workers/scripts/:scriptName/secrets",
    { config: { auth: "account" }, schema: { summary: "The Worker's secrets (names and types)", tags, params: scriptParams, response: answers({ type: "array", items: secretObject }) } },
    async (req) => ok(list(await secrets.read(await scripts.require(req.params.accountId, req.params.scriptName)))),
  );

  app.get(
    "/workers/scripts/:scriptName/secrets/:secretName",
    { config: { auth: "account" }, schema: { summary: "One secret (name and type)", tags, params: secretParams, response: answers(secretObject) } },
    async (req) => {
      const state = await secrets.read(await scripts.require(req.params.accountId, req.params.scriptName));
      if (!Object.hasOwn(state.updated, req.params.secretName)) throw new NotFound("secret", req.params.secretName);
      return ok({ name: req.params.secretName, type: "secret_text" });
    },
  );

  app.put(
    "/workers/scripts/:scriptName/secrets",
    {
      config: { auth: "account" },
      schema: { summary: "Create or replace a secret (new version, deployed at 100%)", tags, params: scriptParams, body: secretBody, response: answers(secretObject) },
    },
    async (req) => {
      const { accountId, scriptName } = req.params;
      await changeSecrets(req.ctx, { accountId, scriptName, upserts: { [req.body.name]: req.body.text }, deletes: [], token: req.token });
      return ok({ name: req.body.name, type: "secret_text" });
    },
  );

  app.delete(
    "/workers/scripts/:scriptName/secrets/:secretName",
    {
      config: { auth: "account" },
      schema: {
        summary: "Delete a secret (new version, deployed at 100%)",
        tags,
        params: secretParams,
        querystring: Type.Object({ url_encoded: Type.Optional(Type.Boolean()) }),
        response: answers(anyResult),
      },
    },
    async (req) => {
      const { accountId, scriptName } = req.params;
      await changeSecrets(req.ctx, { accountId, scriptName, upserts: {}, deletes: [req.params.secretName], token: req.token });
      return ok(null);
    },
  );

  app.patch(
    "/workers/scripts/:scriptName/secrets-bulk",
    {
      config: { auth: "account" },
      schema: {
        summary: "Set and delete several secrets at once (JSON merge patch; null deletes)",
        tags,
        params: scriptParams,
        body: bulkBody,
        response: answers({ type: "array", items: secretObject }),
      },
    },
    async (req) => {
      const upserts: Record<string, string> = {};
      const deletes: string[] = [];
      for (const [name, value] of Object.entries(req.body.secrets)) {
        if (!SECRET_NAME.test(name)) throw new Invalid(`secret names must match ${SECRET_NAME}`, `body/secrets/${name}`);
        if (value === null) deletes.push(name);
        else upserts[name] = value.text;
      }
      const { accountId, scriptName } = req.params;
      return ok(list(await changeSecrets(req.ctx, { accountId, scriptName, upserts, deletes, token: req.token })));
    },
  );
};
