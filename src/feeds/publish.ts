import { rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { countEntries, UncountableFile } from "./count-entries.js";
import type { FinishedFeed } from "./feed-writer.js";
import type { PublishedFeed } from "./manifest.js";
import { readManifest, writeManifest } from "./manifest.js";
import { withManifestLock } from "./manifest-lock.js";
import { checkShrink } from "./shrink-guard.js";
import { commitTempFile } from "./temp-file.js";

export interface PublishOptions {
  /** Largest share (0…1) of the previously published entries a feed may lose. */
  maxShrink: number;
  force: boolean;
  /** Publish a feed without entries (still past the shrink guard); otherwise none is written. */
  allowEmpty: boolean;
  /** Why a feed has no entries ("every item rejected"…), for the outcome's message. */
  whyEmpty?: (feedId: string) => string;
  /** Clock for the manifest; injected so tests can pin it. */
  now?: () => Date;
}

/**
 * `published`: the new files are in place. `held`: the published files were kept (shrink guard,
 * an empty feed where one is published, a published file that could not be counted).
 * `not_written`: the feed had no entries and nothing was published before, so no file was written.
 */
export type PublishStatus = "published" | "held" | "not_written";

export interface PublishOutcome {
  feedId: string;
  status: PublishStatus;
  unit: string;
  entries: number;
  previous: number | undefined;
  /** Where `previous` came from: the manifest, the published files themselves, or nowhere. */
  baseline: "manifest" | "counted" | "uncountable" | "none";
  files: string[];
  bytes: number;
  message: string;
}

type Baseline =
  | { source: "manifest" | "counted"; entries: number; files: string[] }
  | { source: "uncountable"; entries: undefined; files: string[]; reason: string }
  | { source: "none"; entries: undefined; files: string[] };

/**
 * Puts finished feeds in place: each feed passes the shrink guard against its baseline (the
 * manifest entry, or else the published files counted), then its temp files are renamed over the
 * published ones, parts no longer written are removed, and the manifest is rewritten last. A held
 * or unwritten feed's temp files are removed and its published files stay. The whole step runs
 * under the folder's manifest lock (`manifest-lock.ts`).
 */
export async function publishFeeds(
  dir: string,
  feeds: readonly FinishedFeed[],
  options: PublishOptions,
): Promise<PublishOutcome[]> {
  return withManifestLock(dir, () => publishUnderLock(dir, feeds, options));
}

async function publishUnderLock(
  dir: string,
  feeds: readonly FinishedFeed[],
  options: PublishOptions,
): Promise<PublishOutcome[]> {
  const manifest = await readManifest(dir);
  const now = (options.now ?? (() => new Date()))().toISOString();
  const outcomes: PublishOutcome[] = [];
  try {
    for (const feed of feeds) {
      const baseline = await baselineOf(dir, feed, manifest.feeds[feed.feedId]);
      const files = feed.parts.map((part) => part.name);
      const base = {
        feedId: feed.feedId,
        unit: feed.unit,
        entries: feed.entries,
        previous: baseline.entries,
        baseline: baseline.source,
        files,
        bytes: feed.parts.reduce((sum, part) => sum + part.bytes, 0),
      };
      const keep = async (status: "held" | "not_written", message: string): Promise<void> => {
        await Promise.all(feed.parts.map((part) => rm(part.tempPath, { force: true })));
        outcomes.push(
          status === "held"
            ? { ...base, status, message }
            : { ...base, status, message, files: [], bytes: 0 },
        );
      };

      if (feed.entries === 0 && !options.allowEmpty) {
        const why = options.whyEmpty?.(feed.feedId) ?? "no entries";
        if (baseline.entries === 0 || baseline.source === "none") {
          await keep("not_written", `no file written: 0 ${feed.unit}, ${why} (--allow-empty writes it)`);
        } else {
          await keep(
            "held",
            `0 ${feed.unit}, ${why}: ${keptText(baseline)} (--allow-empty publishes an empty feed)`,
          );
        }
        continue;
      }
      let counted = "";
      if (baseline.source === "uncountable") {
        if (!options.force) {
          await keep(
            "held",
            `cannot count the published entries (${baseline.reason}): ${keptText(baseline)} (use --force to replace it)`,
          );
          continue;
        }
        counted = `; the published file could not be counted (${baseline.reason}), forced`;
      } else if (baseline.source === "counted") {
        counted = `; previous count read from ${listText(baseline.files)}, not in the manifest`;
      }
      const verdict = checkShrink(baseline.entries, feed.entries, options.maxShrink, options.force);
      if (!verdict.allowed) {
        await keep("held", verdict.message + counted);
        continue;
      }
      for (const part of feed.parts) await commitTempFile(part.tempPath, join(dir, part.name));
      const stale = baseline.files.filter((name) => !files.includes(name));
      await Promise.all(stale.map((name) => rm(join(dir, name), { force: true })));
      manifest.feeds[feed.feedId] = { files, entries: feed.entries, unit: feed.unit, publishedAt: now };
      outcomes.push({ ...base, status: "published", message: verdict.message + counted });
    }
  } finally {
    // Whatever was renamed into place is recorded, even when a later feed failed to publish.
    await writeManifest(dir, manifest);
  }
  return outcomes;
}

/** Drops finished but unpublished feeds (a strict run that found bad rows, an aborted run). */
export async function discardFeeds(feeds: readonly FinishedFeed[]): Promise<void> {
  await Promise.all(feeds.flatMap((feed) => feed.parts.map((part) => rm(part.tempPath, { force: true }))));
}

/**
 * What a feed replaces. The manifest entry when there is one; otherwise the files this run would
 * write over, counted — a missing manifest (a fresh CI workspace, another tool writing into the
 * folder) must not turn a good published feed into a "first publish" (ADR 0008).
 */
async function baselineOf(
  dir: string,
  feed: FinishedFeed,
  entry: PublishedFeed | undefined,
): Promise<Baseline> {
  if (entry) return { source: "manifest", entries: entry.entries, files: entry.files };
  const files: string[] = [];
  for (let part = 1; part === 1 || feed.split; part += 1) {
    const name = feed.partName(part);
    if (!(await exists(join(dir, name)))) break;
    files.push(name);
  }
  if (files.length === 0) return { source: "none", entries: undefined, files };
  let entries = 0;
  try {
    for (const name of files) entries += await countEntries(join(dir, name), feed.layout);
  } catch (error) {
    if (!(error instanceof UncountableFile)) throw error;
    return { source: "uncountable", entries: undefined, files, reason: error.message };
  }
  return { source: "counted", entries, files };
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
}

function keptText(baseline: Baseline): string {
  const count = baseline.entries === undefined ? "" : ` (${baseline.entries})`;
  return `the published ${listText(baseline.files)}${count} ${baseline.files.length > 1 ? "were" : "was"} kept`;
}

function listText(files: readonly string[]): string {
  return files.length > 2 ? `${files[0]} … (${files.length} files)` : files.join(", ");
}
