#!/usr/bin/env node
// Issues an API token for one or more accounts and prints it once (only its sha256 is stored).
//   node apps/fake-cf-api/src/cli/issue-token.ts --account <id> [--account <id2>] [--name n] [--email e]
//        [--namespace ns] [--create-account]
// Uses KUBECONFIG (or in-cluster credentials); the namespace defaults to $NAMESPACE, else "fireworkers".
import { parseArgs } from "node:util";
import { API_VERSION } from "@fireworkers/crd-types";
import { KINDS } from "@fireworkers/kube";
import { createKube } from "../store/kube.ts";
import { AccountStore } from "../store/accounts.ts";
import { Tokens } from "../store/tokens.ts";

const { values } = parseArgs({
  options: {
    account: { type: "string", multiple: true },
    name: { type: "string" },
    email: { type: "string" },
    namespace: { type: "string" },
    "create-account": { type: "boolean", default: false },
    help: { type: "boolean", short: "h" },
  },
});

if (values.help || !values.account?.length) {
  console.error("usage: issue-token.ts --account <id> [--account <id>...] [--name n] [--email e] [--namespace ns] [--create-account]");
  process.exit(values.help ? 0 : 2);
}

const kube = createKube(values.namespace || process.env.NAMESPACE || "fireworkers");
const accounts = new AccountStore(kube);
for (const id of values.account) {
  if (await accounts.get(id)) continue;
  if (!values["create-account"]) {
    console.error(`WorkerAccount ${id} does not exist in namespace ${kube.namespace} (pass --create-account to create it)`);
    process.exit(1);
  }
  await kube.create(KINDS.WorkerAccount, { apiVersion: API_VERSION, kind: "WorkerAccount", metadata: { name: id }, spec: { workerBundleName: id } });
  console.error(`created WorkerAccount ${id} in namespace ${kube.namespace}`);
}
const { token, record } = await new Tokens(kube).issue({ accounts: values.account, name: values.name, email: values.email });
console.error(`token ${record.id} (${record.name}, ${record.email}) for ${record.accounts.join(", ")}; it is shown only once:`);
console.log(token);
