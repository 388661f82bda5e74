import { readFileSync } from "node:fs";
import { OmnifeedError } from "../core/errors.js";
import { readSecret } from "../config/env.js";

/** How a marketplace reads a secret named by an environment variable (`config/env.ts` in production). */
export type SecretReader = (name: string) => string | undefined;

/**
 * One credential of a `marketplaces.<id>` block: `<key>_env` names an environment variable,
 * `<key>_file` a file (already absolute: `loadConfigFile` resolved it). Read when first needed,
 * so a config that never calls the marketplace needs none; the error names the config key.
 */
export async function credentialOf(
  block: Record<string, unknown>,
  key: string,
  setting: string,
  secret: SecretReader,
): Promise<string> {
  const env = block[`${key}_env`];
  const file = block[`${key}_file`];
  if (typeof env === "string") {
    const value = secret(env)?.trim();
    if (!value)
      throw new OmnifeedError("config", `environment variable ${env} is not set (named by ${setting}_env)`);
    return value;
  }
  if (typeof file === "string") return readSecret({ file }, `${setting}_file`);
  throw new OmnifeedError("config", `${setting}: set ${key}_env (an environment variable) or ${key}_file`);
}

/**
 * A credential needed synchronously (a notification's shared secret, checked inside a request):
 * the environment variable, or the file read once; `undefined` when neither is configured.
 */
export function syncCredentialOf(
  block: Record<string, unknown>,
  key: string,
  secret: SecretReader,
): string | undefined {
  const env = block[`${key}_env`];
  const file = block[`${key}_file`];
  if (typeof env === "string") return secret(env)?.trim() || undefined;
  if (typeof file === "string") {
    try {
      return readFileSync(file, "utf8").trim() || undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}
