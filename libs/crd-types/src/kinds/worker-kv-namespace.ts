import { baseStatus, type CustomObject, type KindDefinition } from "../common.ts";
import { immutable, Type, type Static } from "../schema.ts";
import { AccountId } from "./shared-fields.ts";

/** Cloudflare's KV namespace ids: 32 lowercase hex digits. Also the object's name. */
export const KV_NAMESPACE_ID = /^[0-9a-f]{32}$/;

const spec = Type.Object({
  accountId: Type.String({ ...AccountId, ...immutable("accountId") }),
  title: Type.String({ minLength: 1, maxLength: 512, description: "The namespace's title, unique within the account (wrangler kv namespace create/rename)." }),
});

const status = Type.Object({ ...baseStatus });

export type WorkerKVNamespaceSpec = Static<typeof spec>;
export type WorkerKVNamespaceStatus = Static<typeof status>;
export type WorkerKVNamespace = CustomObject<"WorkerKVNamespace", WorkerKVNamespaceSpec, WorkerKVNamespaceStatus>;

export const workerKVNamespace: KindDefinition<typeof spec, typeof status> = {
  kind: "WorkerKVNamespace",
  plural: "workerkvnamespaces",
  singular: "workerkvnamespace",
  shortNames: ["kvns"],
  description:
    "A Workers KV namespace of an account: its name is the namespace id wrangler uses; its keys and values live in S3 under accounts/<accountId>/kv/<id>/ and are deleted with it (finalizer).",
  spec,
  status,
  rules: [{ rule: "self.metadata.name.matches('^[0-9a-f]{32}$')", message: "metadata.name must be a 32-hex namespace id" }],
  columns: [
    { name: "Account", type: "string", jsonPath: ".spec.accountId" },
    { name: "Title", type: "string", jsonPath: ".spec.title" },
  ],
};
