/**
 * Finding columns in a CSV header: names are matched ignoring case and surrounding spaces, and
 * the first of several accepted spellings that is present wins.
 */
export type HeaderIndex = ReadonlyMap<string, number>;

export function indexHeader(header: readonly string[]): HeaderIndex {
  const index = new Map<string, number>();
  header.forEach((name, position) => {
    const key = headerKey(name);
    if (key !== "" && !index.has(key)) index.set(key, position);
  });
  return index;
}

export function headerKey(name: string): string {
  return name.trim().toLowerCase();
}

/** Position of the first of `names` present in the header. */
export function findColumn(index: HeaderIndex, ...names: string[]): number | undefined {
  for (const name of names) {
    const position = index.get(headerKey(name));
    if (position !== undefined) return position;
  }
  return undefined;
}

/** The value of a column in a row; `undefined` when the column is absent or the row is short. */
export function cell(row: readonly string[], position: number | undefined): string | undefined {
  return position === undefined ? undefined : row[position];
}

/** The delimiter a header line uses when none is configured: tab if it has tabs, else `;` or `,`. */
export function detectDelimiter(firstLine: string): string {
  if (firstLine.includes("\t")) return "\t";
  if (firstLine.includes(";") && !firstLine.includes(",")) return ";";
  return ",";
}

/** The first line of a file's head, for sniffing and delimiter detection. */
export function firstLine(head: string): string {
  const text = head.startsWith("\ufeff") ? head.slice(1) : head;
  const end = text.search(/\r?\n/);
  return end === -1 ? text : text.slice(0, end);
}

/** Splits a header line on a delimiter, honouring double quotes (enough for sniffing). */
export function splitHeaderLine(line: string, delimiter: string): string[] {
  const names: string[] = [];
  let current = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (char === '"') {
      if (quoted && line[i + 1] === '"') {
        current += '"';
        i++;
      } else quoted = !quoted;
    } else if (char === delimiter && !quoted) {
      names.push(current.trim());
      current = "";
    } else current += char;
  }
  names.push(current.trim());
  return names;
}
