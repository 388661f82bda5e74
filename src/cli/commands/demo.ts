import type { Command } from "commander";
import { z } from "zod";
import { EXIT, type ExitCode } from "../exit-codes.js";
import { parseFlags } from "../run-options.js";

const DemoFlagsSchema = z.object({
  dir: z.string().min(1).default("out/demo"),
  host: z.string().min(1).default("127.0.0.1"),
  sku: z.string().trim().min(1).optional(),
  quantity: z.coerce.number().int().min(1).max(1000).default(2),
  carrier: z.string().trim().min(1).default("UPS"),
  trackingNumber: z.string().trim().min(1).default("1Z999AA10123456784"),
});

const DEMO_HELP = `
Runs the whole loop on this machine, with no Redis and no accounts, and prints each step:
  1. starts the Google, Meta and Amazon (listings and orders) simulators in this process on free
     ports and writes <dir>/omnifeed.config.yaml that reaches them, the file store as the store
  2. exports the demo catalog (fixtures/catalogs/demo) to feeds in <dir>/feeds
  3. publishes it to the three channels' APIs (the simulators), state in <dir>
  4. places an order on the Amazon simulator (--sku, default the first SKU all three channels
     hold; --quantity units), pulls it twice and imports it once into <dir>/store/outbox
  5. propagates the sale's stock to Google and Meta and reads it back from them
  6. writes the merchant's tracking file <dir>/shipped-today.csv (--carrier, --tracking-number),
     takes it into <dir>/store/inbox and pushes it to Amazon (confirmShipment)
  7. stops the simulators
Every run clears <dir> first (the simulators keep nothing between runs); a folder the demo did
not write is refused.

Exits 0 when every step worked; 1 when a step could not go on (it says which and why); 2 when a
flag or the folder cannot be used (a --sku Google does not hold, a folder the demo did not write);
5 when the tracking push ended without the order shipped on Amazon.`;

export function registerDemo(program: Command, setExit: (code: ExitCode) => void): void {
  program
    .command("demo")
    .description(
      "the whole loop with local simulators: export, publish, an Amazon order into the file store once, stock to the other channels, tracking back",
    )
    .option("--dir <folder>", "the demo's folder: config, feeds, state, file store", "out/demo")
    .option("--host <host>", "address the simulators listen on", "127.0.0.1")
    .option("--sku <sku>", "the SKU the buyer orders (default: the first one all three channels hold)")
    .option("--quantity <n>", "units ordered", "2")
    .option("--carrier <name>", "the carrier the merchant ships with", "UPS")
    .option("--tracking-number <number>", "the merchant's tracking number", "1Z999AA10123456784")
    .addHelpText("after", DEMO_HELP)
    .action(async (raw: unknown) => {
      const flags = parseFlags(DemoFlagsSchema, raw);
      // Loaded here: the simulators, SQLite and the API clients stay out of every other command.
      const { runDemo } = await import("../demo-loop.js");
      let last = performance.now();
      const result = await runDemo({
        ...flags,
        onStep: (step) => {
          const now = performance.now();
          const seconds = ((now - last) / 1000).toFixed(1);
          last = now;
          const lines = step.lines.map((line) => `   ${line}`);
          process.stdout.write(`${step.number}. ${step.title} (${seconds} s)\n${lines.join("\n")}\n\n`);
        },
      });
      setExit(result.shipped ? EXIT.ok : EXIT.incomplete);
    });
}
