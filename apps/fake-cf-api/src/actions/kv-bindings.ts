import type { Binding } from "@fireworkers/crd-types";
import type { Stores } from "../context.ts";
import { Invalid } from "../domain/errors.ts";

/**
 * Refuses (10021, naming the binding) a KV binding to a namespace that is not the account's: another
 * account's namespace is answered exactly like one that does not exist, so nothing leaks. Runs before the
 * upload writes anything to Kubernetes (its S3 objects are removed on any refusal).
 */
export async function assertKvBindings(stores: Pick<Stores, "kvNamespaces">, accountId: string, bindings: Binding[]): Promise<void> {
  await Promise.all(
    bindings
      .filter((b) => b.type === "kv_namespace")
      .map(async (b) => {
        const id = b.namespace_id;
        const found = typeof id === "string" && /^[0-9a-f]{32}$/.test(id) ? await stores.kvNamespaces.get(accountId, id) : undefined;
        if (!found) throw new Invalid(`binding ${b.name}: KV namespace ${JSON.stringify(id)} does not exist in this account`, "metadata.bindings");
      }),
  );
}
