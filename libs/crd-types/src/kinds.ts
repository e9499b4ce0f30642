import type { KindDefinition } from "./common.ts";
import { jobBuilder } from "./kinds/job-builder.ts";
import { workerAccount } from "./kinds/worker-account.ts";
import { workerBundle } from "./kinds/worker-bundle.ts";
import { workerKVNamespace } from "./kinds/worker-kv-namespace.ts";
import { workerDeployment } from "./kinds/worker-deployment.ts";
import { workerRelease } from "./kinds/worker-release.ts";
import { workerScript } from "./kinds/worker-script.ts";
import { workerVersion } from "./kinds/worker-version.ts";

export const KINDS: readonly KindDefinition[] = [workerAccount, workerScript, workerVersion, workerDeployment, workerRelease, jobBuilder, workerBundle, workerKVNamespace];
