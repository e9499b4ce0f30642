#!/usr/bin/env node
// `make env`: starts the test environment for manual use, prints how to reach it, stops on Ctrl-C.
import { startEnvironment } from "./environment.ts";

const env = await startEnvironment({ keep: process.env.FIREWORKERS_KEEP_ENV === "1" });
const { kube, s3, registry, authRegistry, containerd, dir } = env.info;
console.log(`
fireworkers test environment is up (state in ${dir})

  export KUBECONFIG=${kube.kubeconfig}
  kubectl:            ${kube.kubectl} get crds
  kube-apiserver:     ${kube.server}  (audit log ${kube.auditLog})
  S3 (versitygw):     ${s3.endpoint}  region ${s3.region}  bucket ${s3.bucket}
                      AWS_ACCESS_KEY_ID=${s3.accessKeyId} AWS_SECRET_ACCESS_KEY=${s3.secretAccessKey}
  registry:           ${registry.url}
  registry (auth):    ${authRegistry.url}  user ${authRegistry.username} password ${authRegistry.password}
  containerd:         ctr -a ${containerd.address} -n ${containerd.namespace} images ls
  everything as JSON: ${dir}/env.json

Ctrl-C stops it all.`);

const shutdown = async () => {
  console.log("stopping...");
  await env.stop();
  process.exit(0);
};
process.once("SIGINT", shutdown);
process.once("SIGTERM", shutdown);
