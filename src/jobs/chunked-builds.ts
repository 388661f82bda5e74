import type { Job } from "bullmq";
import type { ConfigFile } from "../config/config-file.js";
import type { PayloadOf } from "./payloads.js";
import type { JobQueues } from "./queues.js";
import type { JobReport } from "./run-record.js";

/** Builds of large catalogs as a flow: a parent job, chunk jobs on every worker, ordered assembly. */
export interface ChunkedBuilds {
  /** Whether this build is split into chunk jobs (a catalog larger than one chunk). */
  runs(payload: PayloadOf<"build-feeds">): boolean;
  build(job: Job, token: string | undefined, payload: PayloadOf<"build-feeds">): Promise<JobReport>;
  buildChunk(payload: PayloadOf<"build-chunk">): Promise<JobReport>;
  close(): Promise<void>;
}

export function openChunkedBuilds(_options: {
  queues: JobQueues;
  config: ConfigFile;
  configFile: string;
  signal: AbortSignal;
}): ChunkedBuilds {
  return {
    runs: () => false,
    build: () => Promise.reject(new Error("chunked builds are not available")),
    buildChunk: () => Promise.reject(new Error("chunked builds are not available")),
    close: () => Promise.resolve(),
  };
}
