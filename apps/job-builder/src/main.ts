#!/usr/bin/env node
// The build Job's program. It runs to completion (no server): the Job's status is its health.
import { createLogger } from "@fireworkers/observability";

const log = createLogger("job-builder");
log.info({ jobBuilder: process.env.JOB_BUILDER_NAME ?? null }, "job-builder started");
