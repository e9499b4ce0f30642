export { newTenant, type Tenant } from "./tenant.ts";
export { CLUSTER_WAIT, fetchVia, untilAnswers, type WorkerAnswer } from "./http.ts";
export { multiModuleProject, plainProject, writeProject } from "./projects.ts";
export { kubeView, type KubeView } from "./kube.ts";
export { e2eContext } from "./context.ts";
