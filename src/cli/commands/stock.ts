import { randomUUID } from "node:crypto";
import type { Command } from "commander";
import { z } from "zod";
import { OmnifeedError } from "../../core/errors.js";
import { ChannelIdSchema } from "../../core/ids.js";
import { prepareRun } from "../../pipeline/plan.js";
import type { StockPushResult } from "../../pipeline/stock-publish.js";
import { withCatalogOptions } from "../common-options.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import { PublishFlagsSchema, parseFlags, resolvePublishRun } from "../run-options.js";

const collect = (value: string, previous: string[]): string[] => [...previous, value];

const StockFlagsSchema = PublishFlagsSchema.extend({
  sku: z.array(z.string()).min(1, "name at least one SKU: --sku SKU[:sold]"),
  from: ChannelIdSchema.optional(),
  order: z.string().min(1).optional(),
});

/** `SKU` or `SKU:sold`; the SKU itself may hold colons, so the count is what follows the last. */
export function parseSkuArgument(text: string): { sku: string; sold?: number } {
  const match = /^(.+):(\d+)$/.exec(text.trim());
  if (!match) {
    if (text.trim() === "") throw new OmnifeedError("config", "--sku: empty SKU");
    return { sku: text.trim() };
  }
  const sold = Number(match[2]);
  if (sold <= 0) throw new OmnifeedError("config", `--sku ${text}: the sold quantity must be above 0`);
  return { sku: match[1]!, sold };
}

export function registerStock(program: Command, setExit: (code: ExitCode) => void): void {
  const stock = program
    .command("stock")
    .description("stock propagation: push a SKU's stock to the channels' cheap stock path");
  withCatalogOptions(stock.command("push"))
    .description(
      "send the current stock of some SKUs (the catalog less the units sold and not yet in it) to every channel, inventory only",
    )
    .option(
      "--sku <SKU[:sold]>",
      "a SKU to push (repeatable); with :sold, records that many units sold first (held until the catalog shows them)",
      collect,
      [],
    )
    .option(
      "--from <channel>",
      "the channel the sale was made on: left out (its marketplace took the stock off)",
    )
    .option("--order <key>", "names the sale, so running the command again does not count it twice")
    .option(
      "--state <backend>",
      "where publishing state and stock holds live: embedded (the default) or redis (REDIS_URL)",
    )
    .option("--state-file <file>", "the embedded state file (default omnifeed-state.sqlite in output.dir)")
    .option("--workspace <name>", "the state's workspace (default: default)")
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  omnifeed stock push --config omnifeed.config.yaml --sku TEE-ORG-WHI-S:2 --from amazon --order amazon/A1/123\n" +
        "  omnifeed stock push --config omnifeed.config.yaml --sku TEE-ORG-WHI-S --sku MUG-01\n" +
        "Only items the channel already holds are updated; see docs/stock.md. The catalog is read only up to\n" +
        "the SKUs, on this thread, from the store's API for a store: --workers and --from-start do not apply.\n" +
        "Exit codes: 0 done · 2 bad flags or settings · 3 a SKU is not in the catalog · 5 some updates failed",
    )
    .action(async (raw: unknown) => {
      const flags = parseFlags(StockFlagsSchema, raw);
      const wanted = flags.sku.map(parseSkuArgument);
      const options = await resolvePublishRun(flags);
      const run = await prepareRun(options.catalog, options.channels);
      const { pushStock } = await import("../../pipeline/stock-publish.js");
      const { openPublishEnvironment } = await import("../../pipeline/publish-environment.js");
      const environment = await openPublishEnvironment(options.state);
      let result: StockPushResult;
      try {
        const use = {
          store: environment.store,
          stockHolds: environment.stockHolds,
          workspace: options.state.workspace,
          limiterFor: environment.limiterFor,
        };
        const orderKey = flags.order ?? `manual:${randomUUID()}`;
        const now = Date.now();
        const sales = wanted.flatMap((entry, index) =>
          entry.sold === undefined
            ? []
            : [{ sku: entry.sku, quantity: entry.sold, orderKey, line: String(index + 1), soldAt: now }],
        );
        result = await pushStock(
          run,
          { skus: wanted.map((entry) => entry.sku), skip: flags.from, sales },
          { ...use, now },
        );
      } finally {
        await environment.close();
      }
      process.stdout.write(
        flags.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatStockPush(result)}\n`,
      );
      const failed = result.channels.some((entry) => entry.execution.outcomes.update.failed > 0);
      setExit(failed ? EXIT.incomplete : result.missing.length > 0 ? EXIT.inputProblems : EXIT.ok);
    });
}

/** One line per channel: what was sent, what the channel already had, what it does not hold. */
export function formatStockPush(result: StockPushResult): string {
  const lines = [`stock of ${result.skus.join(", ")}`];
  const held = Object.entries(result.held);
  if (held.length > 0) {
    lines.push(
      `  held (sold, not yet in the catalog): ${held.map(([sku, units]) => `${sku} ${units}`).join(", ")}`,
    );
  }
  for (const entry of result.channels) {
    const { accepted, rejected, failed } = entry.execution.outcomes.update;
    const parts = [`${accepted} updated`, `${entry.unchanged} already in step`];
    if (rejected > 0) parts.push(`${rejected} refused`);
    if (failed > 0) parts.push(`${failed} failed (sent again by the next publish)`);
    if (entry.notPublished.length > 0)
      parts.push(`not held by the channel: ${entry.notPublished.join(", ")}`);
    lines.push(`  ${entry.channel} (${entry.account}): ${parts.join(", ")}`);
  }
  if (result.skipped) lines.push(`  ${result.skipped}: left out (the sale was made there)`);
  if (result.missing.length > 0) lines.push(`  not in the catalog: ${result.missing.join(", ")}`);
  lines.push(`  done in ${result.durationMs} ms`);
  return lines.join("\n");
}
