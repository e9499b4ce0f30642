// WorkerAccounts are made by the platform (make up, the operator's users), never by the API: read only.
import { API_VERSION, type WorkerAccount } from "@fireworkers/crd-types";
import type { Kube, Obj } from "./kube.ts";
import { live } from "./objects.ts";

export class AccountStore {
  private readonly kube: Kube;
  constructor(kube: Kube) {
    this.kube = kube;
  }

  async get(accountId: string): Promise<WorkerAccount | undefined> {
    const a = await this.kube.get<WorkerAccount & Obj>(API_VERSION, "WorkerAccount", accountId);
    return a && live(a) ? a : undefined;
  }
}
