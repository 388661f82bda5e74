import { readFile } from "node:fs/promises";
import { OmnifeedError } from "../core/errors.js";

/**
 * The only reader of `process.env` (STYLE.md rule 2). Secrets are named in omnifeed.config.yaml by
 * the environment variable or the file that holds them, never written there.
 */

/** An environment variable's value; `undefined` when unset or empty. */
export function envValue(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value === "" ? undefined : value;
}

/** `REDIS_URL`, when set: workers and `state: redis` use it. */
export function redisUrlFromEnv(): string | undefined {
  return envValue("REDIS_URL");
}

/**
 * `OMNIFEED_REDIS_PREFIX`: what every Redis key omnifeed writes starts with (default `omnifeed:`),
 * so several installations — or test runs — can share one server without seeing each other.
 */
export function redisPrefixFromEnv(): string {
  return envValue("OMNIFEED_REDIS_PREFIX") ?? "omnifeed:";
}

/** Where a secret comes from: an environment variable, or a file (read whole, trimmed). */
export interface SecretSource {
  env?: string | undefined;
  file?: string | undefined;
}

/**
 * Reads a secret from its environment variable or file. `setting` names the config key that
 * points at it, so the error says what to fix; the secret's value never appears in a message.
 */
export async function readSecret(source: SecretSource, setting: string): Promise<string> {
  if (source.env !== undefined) {
    const value = envValue(source.env);
    if (value === undefined) {
      throw new OmnifeedError(
        "config",
        `environment variable ${source.env} is not set (named by ${setting})`,
      );
    }
    return value.trim();
  }
  if (source.file !== undefined) {
    try {
      return (await readFile(source.file, "utf8")).trim();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw new OmnifeedError(
        "config",
        `cannot read ${source.file} (named by ${setting}): ${typeof code === "string" ? code : "unreadable"}`,
      );
    }
  }
  throw new OmnifeedError(
    "config",
    `${setting}: name an environment variable or a file that holds the secret`,
  );
}
