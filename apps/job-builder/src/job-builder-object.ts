// Reading the JobBuilder (from the apiserver or a file) and reporting the result on its status.
import { readFileSync } from "node:fs";
import type { JobBuilder } from "@fireworkers/crd-types";
import { KINDS, KubeClient, loadKubeConfig, type KubeConfig } from "@fireworkers/kube";
import { parse as parseYaml } from "yaml";

export const FIELD_MANAGER = "fireworkers-job-builder";

/** The job-builder's client in `namespace`: KUBECONFIG (or ~/.kube/config), else the pod's service account. */
export function createKube(namespace: string, config: KubeConfig = loadKubeConfig()): KubeClient {
  return new KubeClient(config, { namespace, fieldManager: FIELD_MANAGER });
}

export async function getJobBuilder(kube: KubeClient, name: string): Promise<JobBuilder> {
  const jobBuilder = await kube.get(KINDS.JobBuilder, name);
  if (!jobBuilder) throw new Error(`JobBuilder ${kube.namespace}/${name} not found`);
  return jobBuilder;
}

/** A JobBuilder object in JSON or YAML (e.g. `kubectl get jb x -o yaml`). */
export function readJobBuilderFile(file: string): JobBuilder {
  const doc: JobBuilder | undefined = parseYaml(readFileSync(file, "utf8"));
  if (doc?.kind !== "JobBuilder" || !doc.spec) throw new Error(`${file} is not a JobBuilder object`);
  return doc;
}

/** Server-side apply of the fields this program owns on the status subresource. */
export async function applyImageStatus(kube: KubeClient, name: string, image: string, imageDigest: string): Promise<void> {
  await kube.applyStatus(KINDS.JobBuilder, name, { imageDigest, image });
}
