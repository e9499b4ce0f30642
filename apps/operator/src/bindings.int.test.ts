// The operator's part in the bindings: the gateway key (made once, kept), a credential Secret per account
// that the gateway accepts for that account only, the bundle pods' env wiring, and the KV namespaces'
// finalizer (their S3 prefix emptied, nothing of another namespace touched), on its own and with the account.
import { randomBytes } from "node:crypto";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { verifyCredential } from "@fireworkers/bindings-auth";
import { API_VERSION, LABELS, S3_FINALIZER } from "@fireworkers/crd-types";
import { KvStore } from "@fireworkers/kv-store";
import { eventually, s3Client } from "@fireworkers/testenv";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { k, newAccountId, newNamespace, seedAccount, startOperator, type OperatorProcess } from "./test/harness.ts";

const env = inject("env");

describe("bindings: gateway key, credentials, KV namespaces", () => {
  let ns: string;
  let kc: ReturnType<typeof k>;
  let op: OperatorProcess;
  const s3 = s3Client(env.s3);
  const store = new KvStore(s3, env.s3.bucket);

  beforeAll(async () => {
    ns = await newNamespace(env, "bindings");
    kc = k(env, ns);
    op = await startOperator(env, ns);
  });
  afterAll(async () => {
    await op?.stop();
    s3.destroy();
  });

  const objects = async (prefix: string) => ((await s3.send(new ListObjectsV2Command({ Bucket: env.s3.bucket, Prefix: prefix }))).Contents ?? []).map((o) => o.Key!);
  const kvNamespace = (id: string, accountId: string, owner?: { name: string; uid: string }) => ({
    apiVersion: API_VERSION,
    kind: "WorkerKVNamespace",
    metadata: {
      name: id,
      labels: { [LABELS.account]: accountId },
      finalizers: [S3_FINALIZER],
      ...(owner ? { ownerReferences: [{ apiVersion: API_VERSION, kind: "WorkerAccount", name: owner.name, uid: owner.uid }] } : {}),
    },
    spec: { accountId, title: `t-${id.slice(0, 6)}` },
  });

  it("makes the gateway key once and a credential per account that the gateway accepts for that account only", async () => {
    const id = newAccountId();
    await kc.apply(seedAccount(`bundle-${id.slice(0, 12)}`, id));
    const keySecret = await eventually("the gateway key Secret", () => kc.get("secret", "fireworkers-bindings-gateway-key"));
    const key = Buffer.from(keySecret.data.key, "base64");
    expect(key.length).toBeGreaterThanOrEqual(32);
    const cred = await eventually("the account's credential Secret", () => kc.get("secret", `bindings-credential.${id}`));
    expect(cred.metadata.ownerReferences[0]).toMatchObject({ kind: "WorkerAccount", name: id });
    const credential = Buffer.from(cred.data.credential, "base64").toString();
    expect(verifyCredential(key, credential)).toBe(id);
    // A restarted operator keeps the key (every credential derives from it).
    await op.stop();
    op = await startOperator(env, ns, "operator-2");
    const other = newAccountId();
    await kc.apply(seedAccount(`bundle-${other.slice(0, 12)}`, other));
    await eventually("the second account's credential", () => kc.get("secret", `bindings-credential.${other}`));
    expect((await kc.get("secret", "fireworkers-bindings-gateway-key"))!.data.key).toBe(keySecret.data.key);
  });

  it("deleting a KV namespace empties its S3 prefix, and only its own, then lets it go", async () => {
    const account = newAccountId();
    const [a, b] = [randomBytes(16).toString("hex"), randomBytes(16).toString("hex")];
    await kc.create(kvNamespace(a, account));
    await kc.create(kvNamespace(b, account));
    await store.putMany({ accountId: account, namespaceId: a }, Array.from({ length: 1205 }, (_, i) => ({ key: `k${i}`, value: Buffer.from("x"), options: {} })));
    await store.put({ accountId: account, namespaceId: b }, "kept", "y");
    await kc.run(["delete", "workerkvnamespace", a, "--wait=false"]);
    await eventually("the namespace to go", async () => (await kc.get("workerkvnamespace", a)) === undefined, { timeoutMs: 60_000 });
    expect(await objects(store.prefix({ accountId: account, namespaceId: a }))).toEqual([]);
    expect(await objects(store.prefix({ accountId: account, namespaceId: b }))).toHaveLength(1);
  });

  it("deleting the account deletes its namespaces and their data", async () => {
    const id = newAccountId();
    await kc.apply(seedAccount(`bundle-${id.slice(0, 12)}`, id));
    const account = await eventually("the account", () => kc.get("workeraccount", id));
    const nsId = randomBytes(16).toString("hex");
    await kc.create(kvNamespace(nsId, id, { name: id, uid: account.metadata.uid }));
    await store.put({ accountId: id, namespaceId: nsId }, "k", "v");
    await kc.run(["delete", "workeraccount", id, "--wait=false"]);
    await eventually("the namespace to go with its account", async () => (await kc.get("workerkvnamespace", nsId)) === undefined, { timeoutMs: 90_000 });
    expect(await objects(store.prefix({ accountId: id, namespaceId: nsId }))).toEqual([]);
  });
});
