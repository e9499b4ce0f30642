// Where the runtime base images (built by tools/images) put things. The job-builder's bundle images rely
// on this layout (entrypoint path, non-root user), so it is the contract between the two and lives here.

/** The non-root user the pods run as (distroless' "nonroot" id). */
export const RUNTIME_UID = 65532;
export const WORKERD_PATH = "usr/local/bin/workerd";
export const NODE_PATH = "usr/local/bin/node";
