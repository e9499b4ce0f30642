// WorkerAccounts are made by the platform (make up, the operator's users), never by the API: read only.
import type { WorkerAccount } from "@fireworkers/crd-types";
import { KINDS } from "@fireworkers/kube";
import type { Kube } from "./kube.ts";
import { live } from "./objects.ts";

export class AccountStore {
  private readonly kube: Kube;
  constructor(kube: Kube) {
    this.kube = kube;
  }

  async get(accountId: string): Promise<WorkerAccount | undefined> {
    const a = await this.kube.get(KINDS.WorkerAccount, accountId);
    return a && live(a) ? a : undefined;
  }
}
