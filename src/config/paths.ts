import { fileURLToPath } from "node:url";

/**
 * The package root: `src/config` and `dist/config` both sit two levels below it, so the same
 * relative URL works when running the sources (tests) and the build (CLI).
 */
export const PACKAGE_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** `channel-mappings/<file>` inside the package. */
export function bundledMappingPath(file: string): string {
  return fileURLToPath(new URL(`../../channel-mappings/${file}`, import.meta.url));
}
