// The machine-specific part of deploy/local: a kustomize Component (dist/local/kustomization.yaml) that pins
// the images just pushed by digest and gives the operator the job-builder and runtime base images.
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { PlatformImages } from "./images.ts";

/** `10.244.0.1:5000/fireworkers/operator@sha256:ab..` -> kustomize's `images:` entry for `fireworkers/operator`. */
function imageEntry(name: string, ref: string): string {
  const [newName, digest] = ref.split("@") as [string, string];
  return `  - name: ${name}\n    newName: ${newName}\n    digest: ${digest}\n`;
}

export function localComponent(images: PlatformImages): string {
  return [
    "# Written by `make up` (tools/cluster/src/platform/overlay.ts) after pushing the images: do not edit.\n",
    "apiVersion: kustomize.config.k8s.io/v1alpha1\n",
    "kind: Component\n",
    "images:\n",
    imageEntry("fireworkers/operator", images.operator),
    imageEntry("fireworkers/fake-cf-api", images.api),
    imageEntry("fireworkers/bindings-gateway", images.gateway),
    "configMapGenerator:\n",
    "  - name: fireworkers-operator\n",
    "    behavior: merge\n",
    "    literals:\n",
    `      - JOB_BUILDER_IMAGE=${images.jobBuilder}\n`,
    `      - BASE_IMAGE=${images.base}\n`,
    // envFrom is read at start: a new job-builder or base image must restart the operator even when its own
    // image is unchanged, so the pod template carries a hash of both.
    "patches:\n",
    "  - target: { kind: Deployment, name: fireworkers-operator }\n",
    "    patch: |-\n",
    "      - op: add\n",
    "        path: /spec/template/metadata/annotations\n",
    `        value: { fireworkers.local/build-images: "${createHash("sha256").update(`${images.jobBuilder} ${images.base}`).digest("hex").slice(0, 16)}" }\n`,
  ].join("");
}

export function writeLocalComponent(path: string, images: PlatformImages): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, localComponent(images));
}
