import { SafeHtml, html } from "./html.js";

/** The console's sections, for the navigation. */
export type ConsoleSection = "overview" | "runs" | "items";

export interface PageOptions {
  /** The installation's name, shown in every header. */
  site: string;
  /** This page's title (the tab and the first heading). */
  title: string;
  section: ConsoleSection;
  /** The SKU in the search box, kept after a search. */
  sku?: string | undefined;
  body: SafeHtml;
}

// Okabe–Ito colours: accepted, rejected and filtered stay apart for colour-blind readers too.
const STYLE = `
:root { --accepted: #009e73; --rejected: #d55e00; --filtered: #7f8b99; --ink: #1d2430; --muted: #5b6573;
  --line: #d9dee5; --panel: #ffffff; --back: #f3f5f8; --accent: #0b5cad; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--ink); background: var(--back); }
header { background: #1d2430; color: #fff; padding: 0.6rem 1.5rem; display: flex; flex-wrap: wrap; gap: 1rem;
  align-items: center; }
header .site { font-weight: 600; font-size: 1.05rem; margin-right: 1rem; }
header nav a { color: #cfd6df; text-decoration: none; margin-right: 1rem; padding: 0.2rem 0; }
header nav a[aria-current="page"] { color: #fff; border-bottom: 2px solid #fff; }
header form { margin-left: auto; display: flex; gap: 0.4rem; }
header input { font: inherit; padding: 0.25rem 0.5rem; border-radius: 4px; border: 1px solid #8893a2; min-width: 14rem; }
header button { font: inherit; padding: 0.25rem 0.8rem; border-radius: 4px; border: 0; background: #4c8fd6; color: #fff;
  cursor: pointer; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
h1 { font-size: 1.5rem; margin: 0.6rem 0 1rem; }
h2 { font-size: 1.2rem; margin: 0 0 0.6rem; }
h3 { font-size: 1rem; margin: 1.2rem 0 0.4rem; }
a { color: var(--accent); }
section.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 1rem 1.25rem;
  margin-bottom: 1.25rem; }
.muted { color: var(--muted); }
.figures { display: flex; flex-wrap: wrap; gap: 0.75rem; margin: 0.5rem 0 1rem; }
.figure { border: 1px solid var(--line); border-left-width: 6px; border-radius: 6px; padding: 0.4rem 0.9rem;
  min-width: 10rem; }
.figure .label { color: var(--muted); font-size: 0.85rem; }
.figure .value { font-size: 1.5rem; font-weight: 600; font-variant-numeric: tabular-nums; }
.figure.accepted { border-left-color: var(--accepted); }
.figure.rejected { border-left-color: var(--rejected); }
.figure.filtered { border-left-color: var(--filtered); }
.trend { font-size: 0.85rem; font-weight: 600; margin-left: 0.3rem; white-space: nowrap; }
.trend.good { color: #007a5a; } .trend.bad { color: #b34700; } .trend.same { color: var(--muted); }
table { border-collapse: collapse; width: 100%; margin: 0.3rem 0 0.8rem; }
th, td { text-align: left; padding: 0.35rem 0.6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 0.85rem; color: var(--muted); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.85rem; }
pre { background: var(--back); border: 1px solid var(--line); border-radius: 4px; padding: 0.5rem; overflow-x: auto;
  white-space: pre-wrap; word-break: break-all; }
.badge { display: inline-block; padding: 0.05rem 0.5rem; border-radius: 999px; font-size: 0.8rem; font-weight: 600;
  color: #fff; white-space: nowrap; }
.badge.succeeded, .badge.accepted, .badge.active { background: var(--accepted); }
.badge.failed, .badge.rejected { background: var(--rejected); }
.badge.retrying, .badge.incomplete, .badge.held, .badge.pending { background: #a06a00; }
.badge.filtered { background: var(--filtered); }
.badge.error { background: var(--rejected); } .badge.warning { background: #a06a00; }
.swatch { display: inline-block; width: 0.8rem; height: 0.8rem; border-radius: 2px; vertical-align: middle; }
.chart { max-width: 100%; height: auto; }
.chart text { font: 11px system-ui, sans-serif; fill: var(--muted); }
.chart .axis-title { font-weight: 600; fill: var(--ink); }
table.issues a, table.runs td.job, table.runs td.worker { white-space: nowrap; }
td.value { white-space: normal; word-break: break-word; }
td.failure code { color: var(--rejected); font-weight: 600; }
details { margin: 0.4rem 0; } summary { cursor: pointer; color: var(--accent); }
.empty { padding: 1rem 1.25rem; }
.empty ol { margin: 0.4rem 0; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;

// Written here, trusted: not escaped (entities mean nothing inside <style>).
const STYLE_SHEET = new SafeHtml(STYLE);

const SECTIONS: { id: ConsoleSection; label: string; href: string }[] = [
  { id: "overview", label: "Overview", href: "/console" },
  { id: "runs", label: "Runs", href: "/console/runs" },
  { id: "items", label: "Items", href: "/console/items" },
];

/** A whole console page: header with navigation and the SKU search, then the page's body. */
export function consolePage(options: PageOptions): SafeHtml {
  const nav = SECTIONS.map(
    (section) =>
      html`<a href="${section.href}" ${section.id === options.section ? html` aria-current="page"` : ""}
        >${section.label}</a
      >`,
  );
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${options.title} · ${options.site}</title>
        <style>
          ${STYLE_SHEET}
        </style>
      </head>
      <body>
        <header>
          <span class="site">${options.site}</span>
          <nav aria-label="Console">${nav}</nav>
          <form method="get" action="/console/items" role="search">
            <label class="sr-only" for="sku-search">SKU</label>
            <input
              id="sku-search"
              name="sku"
              type="search"
              placeholder="Find a SKU"
              value="${options.sku ?? ""}"
              required
            />
            <button type="submit">Explain</button>
          </form>
        </header>
        <main>
          <h1>${options.title}</h1>
          ${options.body}
        </main>
      </body>
    </html> `;
}
