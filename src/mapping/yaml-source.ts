import { isMap, isScalar, LineCounter, parseDocument } from "yaml";
import type { Document, Node, Scalar } from "yaml";

/** A key in a path through a YAML document: a map key or a sequence index. */
export type PathKey = string | number;

/** A mapping file as read: its text, its YAML document and the line index for positions. */
export interface MappingSource {
  /** The file name as shown in messages. */
  file: string;
  text: string;
  doc: Document.Parsed;
  lines: LineCounter;
}

export interface SourcePosition {
  line: number;
  col: number;
  /** Set when an offset inside a scalar could not be mapped exactly onto the file. */
  note?: string;
}

/** Parses the YAML and reports its syntax errors (duplicate keys included) with their positions. */
export function readMappingSource(
  text: string,
  file: string,
): { source: MappingSource; syntaxErrors: { where: string; message: string }[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const source: MappingSource = { file, text, doc, lines };
  const syntaxErrors = doc.errors.map((error) => {
    const { line, col } = lines.linePos(error.pos[0]);
    return { where: `${file}:${line}:${col}`, message: `YAML: ${error.message}` };
  });
  return { source, syntaxErrors };
}

function nodeAt(doc: Document.Parsed, path: readonly PathKey[]): Node | undefined {
  if (path.length === 0) return doc.contents ?? undefined;
  const found: unknown = doc.getIn(path, true);
  return found !== null && typeof found === "object" && "range" in found ? (found as Node) : undefined;
}

function keyNodeAt(doc: Document.Parsed, path: readonly PathKey[]): Node | undefined {
  const parent = nodeAt(doc, path.slice(0, -1));
  const key = path[path.length - 1];
  if (!isMap(parent)) return undefined;
  for (const pair of parent.items) {
    if (isScalar(pair.key) && String(pair.key.value) === String(key)) return pair.key;
  }
  return undefined;
}

/**
 * The position of the node at `path`, or of its nearest existing ancestor (a missing key is
 * reported where its object is). `key` points at the key of a map entry instead of its value;
 * `offset` is a position inside a scalar's value (a template), mapped onto the file.
 */
export function positionOf(
  source: MappingSource,
  path: readonly PathKey[],
  options: { key?: boolean; offset?: number } = {},
): SourcePosition {
  if (options.key && path.length > 0) {
    const keyNode = keyNodeAt(source.doc, path);
    if (keyNode?.range) return source.lines.linePos(keyNode.range[0]);
  }
  for (let depth = path.length; depth >= 0; depth -= 1) {
    const node = nodeAt(source.doc, path.slice(0, depth));
    if (!node?.range) continue;
    if (depth === path.length && options.offset !== undefined && isScalar(node)) {
      return scalarPosition(source, node, options.offset);
    }
    return source.lines.linePos(node.range[0]);
  }
  return { line: 1, col: 1 };
}

/** `file:line:col` of a node, for `OmnifeedError.where`. */
export function whereOf(
  source: MappingSource,
  path: readonly PathKey[],
  options: { key?: boolean; offset?: number } = {},
): { where: string; note?: string } {
  const position = positionOf(source, path, options);
  const where = `${source.file}:${position.line}:${position.col}`;
  return position.note ? { where, note: position.note } : { where };
}

function lineAndColumnIn(text: string, offset: number): { lineIndex: number; column: number } {
  const before = text.slice(0, offset);
  let lineIndex = 0;
  for (let i = before.indexOf("\n"); i !== -1; i = before.indexOf("\n", i + 1)) lineIndex += 1;
  return { lineIndex, column: offset - (before.lastIndexOf("\n") + 1) };
}

/** Indentation of the first non-blank line after `headerLine` (1-based): a block scalar's content. */
function blockIndent(source: MappingSource, headerLine: number): number {
  const starts = source.lines.lineStarts;
  for (let index = headerLine; index < starts.length; index += 1) {
    const start = starts[index] ?? 0;
    const end = starts[index + 1] ?? source.text.length;
    const line = source.text.slice(start, end).replace(/\r?\n$/, "");
    if (line.trim() === "") continue;
    return line.length - line.trimStart().length;
  }
  return 0;
}

/** Characters of the raw quoted scalar that spell the first `offset` characters of its value. */
function rawLength(raw: string, offset: number, quote: "'" | '"'): number {
  let index = 1;
  for (let count = 0; count < offset && index < raw.length; count += 1) {
    const char = raw[index];
    if (quote === "'" && char === "'" && raw[index + 1] === "'") index += 2;
    else if (quote === '"' && char === "\\") {
      const kind = raw[index + 1];
      index += kind === "x" ? 4 : kind === "u" ? 6 : kind === "U" ? 10 : 2;
    } else index += 1;
  }
  return index;
}

function scalarPosition(source: MappingSource, node: Scalar, offset: number): SourcePosition {
  const [start, end] = node.range ?? [0, 0];
  const startPosition = source.lines.linePos(start);
  const value = typeof node.value === "string" ? node.value : String(node.value);
  const { lineIndex, column } = lineAndColumnIn(value, offset);
  if (node.type === "BLOCK_LITERAL") {
    return {
      line: startPosition.line + 1 + lineIndex,
      col: blockIndent(source, startPosition.line) + column + 1,
    };
  }
  const singleLine = source.lines.linePos(end).line === startPosition.line;
  if (singleLine && lineIndex === 0) {
    const raw = source.text.slice(start, end);
    if (node.type === "PLAIN") return { line: startPosition.line, col: startPosition.col + offset };
    if (node.type === "QUOTE_SINGLE" || node.type === "QUOTE_DOUBLE") {
      const quote = node.type === "QUOTE_SINGLE" ? "'" : '"';
      return { line: startPosition.line, col: startPosition.col + rawLength(raw, offset, quote) };
    }
  }
  return { ...startPosition, note: `line ${lineIndex + 1}, column ${column + 1} of the text` };
}
