import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { FinishedFeed } from "./feed-writer.js";
import { readManifest, writeManifest } from "./manifest.js";
import { checkShrink } from "./shrink-guard.js";
import { commitTempFile } from "./temp-file.js";

export interface PublishOptions {
  /** Largest share (0…1) of the previously published entries a feed may lose. */
  maxShrink: number;
  force: boolean;
  /** Clock for the manifest; injected so tests can pin it. */
  now?: () => Date;
}

export interface PublishOutcome {
  feedId: string;
  status: "published" | "held";
  unit: string;
  entries: number;
  previous: number | undefined;
  files: string[];
  bytes: number;
  message: string;
}

/**
 * Puts finished feeds in place: each feed passes the shrink guard against the manifest, then its
 * temp files are renamed over the published ones, parts no longer written are removed, and the
 * manifest is rewritten last. A held feed's temp files are removed and its published files stay.
 */
export async function publishFeeds(
  dir: string,
  feeds: readonly FinishedFeed[],
  options: PublishOptions,
): Promise<PublishOutcome[]> {
  const manifest = await readManifest(dir);
  const now = (options.now ?? (() => new Date()))().toISOString();
  const outcomes: PublishOutcome[] = [];
  try {
    for (const feed of feeds) {
      const previous = manifest.feeds[feed.feedId];
      const verdict = checkShrink(previous?.entries, feed.entries, options.maxShrink, options.force);
      const files = feed.parts.map((part) => part.name);
      const bytes = feed.parts.reduce((sum, part) => sum + part.bytes, 0);
      const base = {
        feedId: feed.feedId,
        unit: feed.unit,
        entries: feed.entries,
        previous: previous?.entries,
        files,
        bytes,
      };
      if (!verdict.allowed) {
        await Promise.all(feed.parts.map((part) => rm(part.tempPath, { force: true })));
        outcomes.push({ ...base, status: "held", message: verdict.message });
        continue;
      }
      for (const part of feed.parts) await commitTempFile(part.tempPath, join(dir, part.name));
      const stale = (previous?.files ?? []).filter((name) => !files.includes(name));
      await Promise.all(stale.map((name) => rm(join(dir, name), { force: true })));
      manifest.feeds[feed.feedId] = { files, entries: feed.entries, unit: feed.unit, publishedAt: now };
      outcomes.push({ ...base, status: "published", message: verdict.message });
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
