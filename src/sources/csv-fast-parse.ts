/**
 * A fast path for well-formed CSV: values found with `indexOf`, quoted values unescaped with one
 * `replaceAll`. csv-parse walks every byte in JavaScript and was the largest single cost of a
 * CSV export (about 40% of the CPU, see docs/performance.md); this reads the same records three to
 * four times faster. It gives up — returns `undefined` — on anything it does not read exactly as
 * csv-parse does with `relax_quotes` and `relax_column_count` (a quoted value closed in the middle
 * of a value, a quote that never closes, `\n` and `\r\n` line ends mixed), and the caller then
 * uses csv-parse. `csv-fast-parse.test.ts` compares both on generated input.
 */
export function parseCsvFast(text: string, delimiter: string): string[][] | undefined {
  const rows: string[][] = [];
  const length = text.length;
  if (length === 0) return rows;
  // csv-parse takes the first line break as the record delimiter (`\n` or `\r\n`) and any other
  // line break as text: only texts that use one kind throughout are read here.
  const first = text.indexOf("\n");
  const crlf = first > 0 && text.charCodeAt(first - 1) === 13;
  if (crlf) {
    for (let at = text.indexOf("\r"); at >= 0; at = text.indexOf("\r", at + 1)) {
      if (text.charCodeAt(at + 1) !== 10) return undefined;
    }
    for (let at = first; at >= 0; at = text.indexOf("\n", at + 1)) {
      if (text.charCodeAt(at - 1) !== 13) return undefined;
    }
  } else if (text.includes("\r")) {
    return undefined;
  }
  const separator = delimiter.charCodeAt(0);
  let position = 0;
  let row: string[] = [];
  // The end of the current line, kept while the values of one line are read.
  let newline = -1;
  for (;;) {
    if (text.charCodeAt(position) === 34 /* " */) {
      // A quoted value: up to the quote that is not doubled.
      let close = text.indexOf('"', position + 1);
      let doubled = false;
      while (close >= 0 && text.charCodeAt(close + 1) === 34) {
        doubled = true;
        close = text.indexOf('"', close + 2);
      }
      if (close < 0) return undefined;
      const value = text.slice(position + 1, close);
      row.push(doubled ? value.replaceAll('""', '"') : value);
      position = close + 1;
      const next = text.charCodeAt(position);
      if (position >= length) {
        rows.push(row);
        return rows;
      }
      if (next === separator) {
        position += 1;
        continue;
      }
      if (next === 13 && text.charCodeAt(position + 1) === 10) position += 1;
      else if (next !== 10) return undefined;
      rows.push(row);
      row = [];
      position += 1;
      if (position >= length) return rows;
      continue;
    }
    // An unquoted value: up to the next delimiter or line end, whichever comes first.
    if (newline < position) {
      newline = text.indexOf("\n", position);
      if (newline < 0) newline = length;
    }
    const comma = text.indexOf(delimiter, position);
    if (comma >= 0 && comma < newline) {
      row.push(text.slice(position, comma));
      position = comma + 1;
      continue;
    }
    const end = newline > position && text.charCodeAt(newline - 1) === 13 ? newline - 1 : newline;
    row.push(text.slice(position, end));
    rows.push(row);
    row = [];
    position = newline + 1;
    if (position >= length) return rows;
  }
}
