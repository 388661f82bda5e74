import { chmod, mkdir, writeFile } from "node:fs/promises";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import { accountWithSecretFiles, marketplaceKeyOf, storeBlockOf } from "../dev/simulators/run-simulators.js";
import type { RunningSimulator } from "../dev/simulators/simulator.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DEMO = join(ROOT, "fixtures/catalogs/demo");
const DEMO_MAPPINGS = join(ROOT, "channel-mappings/examples/demo");

/** What `omnifeed demo` adds: the file store's block, and settings merged into a marketplace's block. */
export interface DemoConfigExtra {
  stores?: Record<string, unknown>;
  /** Settings merged into every channel's account block (the simulators' own rate limits). */
  accounts?: Record<string, unknown>;
  marketplaces?: Record<string, Record<string, unknown>>;
  /** The first comment line of the file. */
  heading?: string;
}

/**
 * Writes an omnifeed.config.yaml that publishes the bundled demo catalog to running simulators:
 * the demo's catalog and mappings, each channel's account pointing at its simulator, the
 * simulators' test secrets in files beside it (mode 600), and the state file beside it too.
 */
export async function writeDemoSimulatorConfig(
  file: string,
  simulators: readonly RunningSimulator[],
  extra: DemoConfigExtra = {},
): Promise<string> {
  const path = resolve(file);
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const secrets: [string, string][] = [];
  const channels: Record<string, unknown> = {};
  // The stores' secrets stay in their environment variables (the store sources read no files):
  // `omnifeed dev simulators` prints the exports.
  const stores: Record<string, unknown> = {};
  for (const simulator of simulators.filter((candidate) => candidate.kind === "store")) {
    stores[simulator.channel] = storeBlockOf(simulator);
  }
  for (const simulator of simulators.filter((candidate) => (candidate.kind ?? "channel") === "channel")) {
    const account = accountWithSecretFiles(simulator, (name, value) => {
      const secretFile = `${basename(path, ".yaml")}.${name}.secret`;
      secrets.push([join(dir, secretFile), value]);
      return secretFile;
    });
    channels[simulator.channel] = {
      mapping: relative(dir, join(DEMO_MAPPINGS, `${simulator.channel}.yaml`)),
      account: {
        ...(simulator.channel === "amazon"
          ? { seller_id: "A1DEMOSELLER00", marketplace_id: "ATVPDKIKX0DER", ...account }
          : account),
        ...extra.accounts,
      },
    };
  }
  // The marketplaces read their secrets from files too (`*_file`), like the channels.
  const marketplaces: Record<string, unknown> = {};
  for (const simulator of simulators.filter((candidate) => candidate.kind === "marketplace")) {
    marketplaces[marketplaceKeyOf(simulator)] = accountWithSecretFiles(simulator, (name, value) => {
      const secretFile = `${basename(path, ".yaml")}.${name}.secret`;
      if (!secrets.some(([file]) => file === join(dir, secretFile)))
        secrets.push([join(dir, secretFile), value]);
      return secretFile;
    });
  }
  for (const [id, settings] of Object.entries(extra.marketplaces ?? {})) {
    marketplaces[id] = { ...(marketplaces[id] as Record<string, unknown> | undefined), ...settings };
  }
  Object.assign(stores, extra.stores);
  for (const [secretFile, value] of secrets) {
    await writeFile(secretFile, value, { mode: 0o600 });
    await chmod(secretFile, 0o600);
  }
  const config = {
    catalog: {
      file: relative(dir, join(DEMO, "catalog.csv")),
      options: { currency: "USD", store_url: "https://demo.omnifeed.dev" },
    },
    channels,
    ...(Object.keys(stores).length > 0 ? { stores } : {}),
    ...(Object.keys(marketplaces).length > 0 ? { marketplaces } : {}),
    state: { file: `${basename(path, ".yaml")}.state.sqlite` },
  };
  await writeFile(
    path,
    `# ${extra.heading ?? "Publishes the demo catalog to the simulators of `omnifeed dev simulators` (written by it)."}\n${stringify(config)}`,
  );
  return path;
}
