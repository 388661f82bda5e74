import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { parse } from "yaml";
import { OmnifeedError } from "../../core/errors.js";
import { ChannelIdSchema } from "../../core/ids.js";
import { channelById, channels, descriptorOf } from "../../channels/registry.js";
import { mappingJsonSchema } from "../../mapping/json-schema.js";
import { loadMapping } from "../../mapping/load.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import { display } from "../summary-text.js";

export function registerMapping(program: Command, setExit: (code: ExitCode) => void): void {
  const mapping = program
    .command("mapping")
    .description("check mapping files and generate their JSON Schemas");

  mapping
    .command("check")
    .argument("<file>", "a mapping file (channel-mappings/*.yaml or your own)")
    .option("--json", "print the result as JSON", false)
    .description("load a mapping file the way export does and report every problem with file and line")
    .addHelpText("after", "\nExits 0 when the file loads, 2 with the problems otherwise.")
    .action(async (file: string, flags: { json: boolean }) => {
      const path = resolve(file);
      const channel = channelById(await channelOfFile(path));
      const compiled = loadMapping(descriptorOf(channel), path);
      const result = {
        file: path,
        channel: channel.id,
        files: compiled.files,
        fields: compiled.fieldNames,
        feeds: compiled.feeds ?? channel.defaultFeeds,
      };
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ ok: true, ...result }, null, 2)}\n`);
      } else {
        process.stdout.write(
          `ok: ${display(path)} — ${channel.title}, ${compiled.fieldNames.length} fields, feeds ${result.feeds.join(", ")}\n` +
            `  read from ${compiled.files.map(display).join(" ← ")}\n`,
        );
      }
      setExit(EXIT.ok);
    });

  mapping
    .command("schema")
    .option("--out <dir>", "where to write <channel>.schema.json", "channel-mappings/schema")
    .description("write the JSON Schema of each channel's mapping file, for editor completion")
    .action(async (flags: { out: string }) => {
      const dir = resolve(flags.out);
      await mkdir(dir, { recursive: true });
      for (const channel of channels) {
        const schema = mappingJsonSchema({
          ...descriptorOf(channel),
          fieldDescriptions: fieldDescriptionsOf(channel),
        });
        const path = join(dir, `${channel.id}.schema.json`);
        await writeFile(path, `${JSON.stringify(schema, null, 2)}\n`);
        process.stdout.write(`wrote ${display(path)}\n`);
      }
      setExit(EXIT.ok);
    });
}

async function channelOfFile(path: string): Promise<ReturnType<typeof ChannelIdSchema.parse>> {
  let document: unknown;
  try {
    document = parse(await readFile(path, "utf8"));
  } catch (error) {
    throw new OmnifeedError("config", (error as Error).message, { where: path });
  }
  const channel = ChannelIdSchema.safeParse((document as { channel?: unknown } | null)?.channel);
  if (!channel.success) {
    throw new OmnifeedError(
      "config",
      `the file must say which channel it maps: channel: ${ChannelIdSchema.options.join(" | ")}`,
      {
        where: path,
      },
    );
  }
  return channel.data;
}

function fieldDescriptionsOf(channel: ReturnType<typeof channelById>): Record<string, string> {
  return Object.fromEntries(channel.fields.map((field) => [field.name, field.description]));
}
