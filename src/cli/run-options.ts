/**
 * How the CLI's flags become a run. The resolution itself lives in the pipeline
 * (`pipeline/run-request.ts`) so job processors resolve a run from the config file the same way.
 */
export * from "../pipeline/run-request.js";
