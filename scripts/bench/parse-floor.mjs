// The floor of the benchmark: reading the catalog file and nothing else — csv-parse over every
// record (what any CSV export must at least do), or plain line reading. Prints the count.
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { parse } from "csv-parse";

const [mode, file] = process.argv.slice(2);
let count = 0;
if (mode === "csv-parse") {
  for await (const _record of createReadStream(file, { highWaterMark: 1 << 20 }).pipe(parse())) count += 1;
} else if (mode === "lines") {
  for await (const _line of createInterface({ input: createReadStream(file, { highWaterMark: 1 << 20 }) }))
    count += 1;
} else {
  throw new Error(`unknown mode ${mode}: csv-parse or lines`);
}
process.stdout.write(`${count}\n`);
