// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";

/**
 * The parts of src/ and the parts each may import (../shared/design/ARCHITECTURE.md; the table and
 * its reasons are in adr/0010-part-boundaries-enforced-by-lint.md). An import of any other part is
 * a lint error, so a shortcut fails CI instead of waiting for a review. Tests are exempt: they may
 * reach across parts (a source's test writes its catalog with a dev writer).
 */
/** What the entry points (jobs, server, cli) may reach: every part below them. */
const USE_CASE_PARTS = [
  "core",
  "config",
  "infra",
  "sources",
  "mapping",
  "channels",
  "feeds",
  "sync",
  "orders",
  "marketplaces",
  "stores",
  "pipeline",
];

const PART_IMPORTS = {
  core: [],
  // The config file is composed of each channel's own schemas: config may read those leaf files
  // (channels/<id>/config.ts), never the rest of a channel (which itself imports config).
  config: ["core", "sources", "channels/*/config", "marketplaces/*/config"],
  infra: ["core", "config"],
  sources: ["core", "infra"],
  mapping: ["core"],
  feeds: ["core"],
  channels: ["core", "config", "mapping", "feeds", "infra"],
  marketplaces: ["core", "config", "infra"],
  stores: ["core", "config", "infra", "sources"],
  sync: ["core", "config", "infra", "channels", "feeds"],
  orders: ["core", "config", "infra", "marketplaces", "stores"],
  pipeline: ["core", "config", "infra", "sources", "mapping", "channels", "feeds", "sync"],
  dev: ["core", "sources", "feeds"],
  jobs: USE_CASE_PARTS,
  // The server shows the queues (Bull Board, metrics, readiness) that jobs owns.
  server: [...USE_CASE_PARTS, "jobs"],
  cli: [...USE_CASE_PARTS, "dev", "jobs", "server"],
};
const PARTS = Object.keys(PART_IMPORTS);

/** Node modules that do I/O: core is pure domain, and channel transforms are pure functions. */
const IO_MODULES = [
  "fs",
  "fs/promises",
  "net",
  "http",
  "https",
  "http2",
  "child_process",
  "worker_threads",
  "dns",
]
  .flatMap((name) => [name, `node:${name}`])
  .map((name) => ({ name, message: "No I/O here: core and channel transforms are pure (STYLE.md rule 4)." }));

/** `no-restricted-imports` options for a part; `pure` adds the ban on I/O modules. */
function importRules(part, pure = false) {
  const allowed = PART_IMPORTS[part];
  // "channels/*/config": of that part, only the files named config.ts of its folders.
  const schemaOnly = allowed
    .filter((entry) => entry.endsWith("/*/config"))
    .map((entry) => entry.split("/")[0]);
  const forbidden = PARTS.filter((other) => other !== part && !allowed.includes(other));
  const alternatives = forbidden.map((other) =>
    schemaOnly.includes(other) ? `${other}/(?![a-z-]+/config\\.js$)` : `${other}(/|$)`,
  );
  const patterns = [];
  if (alternatives.length > 0) {
    patterns.push({
      regex: `^(\\.\\./)+(${alternatives.join("|")})`,
      message: `src/${part} may import only ${allowed.join(", ") || "no other part"} (adr/0010).`,
    });
  }
  const paths = [
    {
      name: "node:process",
      importNames: ["env"],
      message: "Only src/config/env.ts reads the environment.",
    },
    { name: "process", importNames: ["env"], message: "Only src/config/env.ts reads the environment." },
  ];
  if (part !== "jobs") {
    paths.push({ name: "bullmq", message: "Only src/jobs imports bullmq (ARCHITECTURE.md)." });
    patterns.push({ group: ["bullmq/*"], message: "Only src/jobs imports bullmq (ARCHITECTURE.md)." });
  }
  if (pure) paths.push(...IO_MODULES);
  return { "no-restricted-imports": ["error", { paths, patterns }] };
}

const TESTS = ["**/*.test.ts"];

const boundaries = [
  ...PARTS.map((part) => ({
    files: [`src/${part}/**/*.ts`],
    ignores: TESTS,
    rules: importRules(part, part === "core"),
  })),
  { files: ["src/channels/*/transform.ts"], rules: importRules("channels", true) },
  {
    files: ["src/**/*.ts"],
    ignores: [...TESTS, "src/config/env.ts"],
    rules: {
      "no-restricted-properties": [
        "error",
        { object: "process", property: "env", message: "Only src/config/env.ts reads process.env." },
      ],
    },
  },
];

export default tseslint.config(
  { ignores: ["dist/", "out/", "coverage/", "node_modules/", ".bench/", "fixtures/"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
  },
  ...boundaries,
  {
    files: ["**/*.js", "**/*.mjs"],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: "readonly", console: "readonly", Buffer: "readonly", URL: "readonly" },
    },
    rules: {
      ...tseslint.configs.disableTypeChecked.rules,
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
);
