// Reading the JobBuilder (from the apiserver or a file) and reporting the result on its status.
import { readFileSync } from "node:fs";
import { API_VERSION, type JobBuilder } from "@fireworkers/crd-types";
import { parse as parseYaml } from "yaml";
import { kubeRequest, type KubeConnection } from "./kube-client.ts";

export const FIELD_MANAGER = "fireworkers-job-builder";
const path = (namespace: string, name: string) =>
  `/apis/${API_VERSION}/namespaces/${encodeURIComponent(namespace)}/jobbuilders/${encodeURIComponent(name)}`;

export async function getJobBuilder(conn: KubeConnection, namespace: string, name: string): Promise<JobBuilder> {
  return (await kubeRequest(conn, "GET", path(namespace, name))) as JobBuilder;
}

/** A JobBuilder object in JSON or YAML (e.g. `kubectl get jb x -o yaml`). */
export function readJobBuilderFile(file: string): JobBuilder {
  const doc = parseYaml(readFileSync(file, "utf8")) as JobBuilder;
  if (doc?.kind !== "JobBuilder" || !doc.spec) throw new Error(`${file} is not a JobBuilder object`);
  return doc;
}

/** Server-side apply of the fields this program owns on the status subresource. */
export async function applyImageStatus(conn: KubeConnection, namespace: string, name: string, image: string, imageDigest: string): Promise<void> {
  const query = new URLSearchParams({ fieldManager: FIELD_MANAGER, force: "true" });
  await kubeRequest(
    conn,
    "PATCH",
    `${path(namespace, name)}/status?${query}`,
    { apiVersion: API_VERSION, kind: "JobBuilder", metadata: { name, namespace }, status: { imageDigest, image } },
    "application/apply-patch+yaml",
  );
}
