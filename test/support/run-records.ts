import type { ChannelRunStats, RunRecord } from "../../src/sync/run-history.js";

/** 2026-12-05 08:00 UTC: seeded runs start here, an hour apart. */
export const FIRST_RUN_AT = Date.UTC(2026, 11, 5, 8, 0, 0);
const HOUR = 3_600_000;

/** A channel's figures in a run; counts and issues as given, the rest zero. */
export function channelStats(
  channel: string,
  counts: { accepted: number; rejected: number; filtered: number },
  issues: ChannelRunStats["issues"] = [],
  publish?: Partial<NonNullable<ChannelRunStats["publish"]>>,
): ChannelRunStats {
  return {
    channel,
    read: counts.accepted + counts.rejected + counts.filtered,
    ...counts,
    warned: 0,
    issues,
    ...(publish
      ? {
          publish: {
            created: 0,
            updated: 0,
            deleted: 0,
            unchanged: 0,
            rejected: 0,
            failed: 0,
            deferred: 0,
            deletesHeld: false,
            topReasons: [],
            ...publish,
          },
        }
      : {}),
  };
}

/** The `index`-th seeded run (hours after `FIRST_RUN_AT`), succeeded unless told otherwise. */
export function runRecord(index: number, fields: Partial<RunRecord> & Pick<RunRecord, "job">): RunRecord {
  const startedAt = FIRST_RUN_AT + index * HOUR;
  const durationMs = fields.durationMs ?? 42_500;
  return {
    id: `${fields.job}-${index}#1`,
    kind: "build",
    lane: "catalog",
    startedAt,
    finishedAt: startedAt + durationMs,
    durationMs,
    attempt: 1,
    outcome: "succeeded",
    summary: "",
    channels: [],
    worker: "worker-a:4242",
    ...fields,
  };
}

/** The message of the seeded top issue. */
export const APPAREL_MESSAGE = "color is required for apparel in US";

/** The failure reason of the seeded failed run. */
export const FAILED_REASON = "catalog file fixtures/missing.csv: ENOENT (no such file)";

/**
 * Five runs of two jobs, oldest first, as the job processors would write them: builds of the
 * demo's channels whose rejected count falls run by run, a Google publish with items deferred by
 * the update budget, and a failed build. Example SKUs are the demo catalog's.
 */
export function demoRuns(): RunRecord[] {
  const apparel = (count: number): ChannelRunStats["issues"][number] => ({
    code: "apparel_attribute_missing",
    severity: "error",
    field: "color",
    count,
    examples: [
      { sku: "SOCK-KID-2326", message: APPAREL_MESSAGE },
      { sku: "SOCK-KID-2730", message: APPAREL_MESSAGE },
    ],
  });
  const truncated = (count: number): ChannelRunStats["issues"][number] => ({
    code: "truncated",
    severity: "warning",
    field: "title",
    count,
    examples: [
      { sku: "SNK-CNV-OFF-40", message: "title: cut to 150 characters (the text had 178)" },
      { sku: "SNK-CNV-OFF-42", message: "title: cut to 150 characters (the text had 178)" },
      { sku: "SNK-CNV-NAV-40", message: "title: cut to 150 characters (the text had 173)" },
    ],
  });
  return [
    runRecord(0, {
      job: "nightly-feeds",
      summary: "google: 1,180 accepted, 14 rejected",
      channels: [
        channelStats("google", { accepted: 1180, rejected: 14, filtered: 6 }, [apparel(14), truncated(3)]),
        channelStats("meta", { accepted: 1190, rejected: 4, filtered: 6 }),
      ],
    }),
    runRecord(1, {
      job: "google-publish",
      kind: "publish",
      outcome: "incomplete",
      durationMs: 185_000,
      summary: "google: 900 sent, 240 deferred by the update budget",
      channels: [
        channelStats("google", { accepted: 1190, rejected: 9, filtered: 6 }, [apparel(9), truncated(3)], {
          created: 12,
          updated: 888,
          unchanged: 50,
          deferred: 240,
          rejected: 2,
          topReasons: [{ reason: "Image too small", count: 2 }],
        }),
      ],
    }),
    runRecord(2, {
      job: "nightly-feeds",
      outcome: "failed",
      durationMs: 1_200,
      failure: { kind: "config", message: FAILED_REASON },
      summary: "failed",
    }),
    runRecord(3, {
      job: "nightly-feeds",
      summary: "google: 1,204 accepted, 3 rejected",
      channels: [
        channelStats("google", { accepted: 1204, rejected: 3, filtered: 6 }, [apparel(3), truncated(2)]),
        channelStats("meta", { accepted: 1196, rejected: 5, filtered: 6 }),
      ],
    }),
  ];
}
