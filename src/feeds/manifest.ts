import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { OmnifeedError } from "../core/errors.js";
import { commitTempFile, tempPathFor, writeTempFile } from "./temp-file.js";

/**
 * What is published in an output directory: per feed, its files and entry count. The shrink guard
 * compares against it; hosted feed URLs will serve only the files it lists. Written last, atomically.
 */
export const MANIFEST_FILE = ".omnifeed-manifest.json";

const PublishedFeedSchema = z.object({
  files: z.array(z.string()),
  entries: z.number().int().nonnegative(),
  unit: z.string(),
  publishedAt: z.string(),
});
export type PublishedFeed = z.infer<typeof PublishedFeedSchema>;

const ManifestSchema = z.object({
  version: z.literal(1),
  feeds: z.record(z.string(), PublishedFeedSchema),
});
export type Manifest = z.infer<typeof ManifestSchema>;

export async function readManifest(dir: string): Promise<Manifest> {
  const path = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { version: 1, feeds: {} };
    throw error;
  }
  const parsed = ManifestSchema.safeParse(safeJson(text));
  if (!parsed.success) {
    throw new OmnifeedError("config", `unreadable publish manifest; move it away to start afresh`, {
      where: path,
    });
  }
  return parsed.data;
}

export async function writeManifest(dir: string, manifest: Manifest): Promise<void> {
  const path = join(dir, MANIFEST_FILE);
  const temp = tempPathFor(path);
  await writeTempFile(temp, `${JSON.stringify(manifest, null, 2)}\n`);
  await commitTempFile(temp, path);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
