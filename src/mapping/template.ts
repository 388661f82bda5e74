import { compilePath } from "./context.js";
import type { EvalContext, Getter, PathEnv } from "./context.js";
import { isEmpty, toText } from "./field-values.js";
import { SpecError } from "./problems.js";
import { chainTransforms, compileFilter } from "./transforms.js";
import type { TransformEnv, TransformFn } from "./transforms.js";

/**
 * The template language: text with `{{ expr }}` and blocks `{{#if expr}}…{{else}}…{{/if}}`,
 * `{{#unless expr}}…{{/unless}}`. An expression is alternatives separated by `??` (the first
 * non-empty wins), each a path or a literal followed by filters (`| truncate: 150, true`).
 *
 * A template is parsed once into closures. Errors are {@link SpecError}s whose offset points
 * into the template text; the loader maps it onto the mapping file.
 */
export type TemplateEnv = PathEnv & TransformEnv;

type Token =
  | { kind: "word"; text: string; offset: number }
  | { kind: "string"; text: string; offset: number }
  | { kind: "number"; value: number; text: string; offset: number }
  | { kind: "punct"; text: "??" | "|" | ":" | ","; offset: number };

const WORD = /[^\s|?:,'"]/;
const NUMBER = /^-?\d+(?:\.\d+)?$/;
const ESCAPES: Record<string, string> = { n: "\n", t: "\t", "\\": "\\", "'": "'", '"': '"' };

function tokenize(source: string, base: number): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < source.length) {
    const char = source.charAt(index);
    const offset = base + index;
    if (/\s/.test(char)) {
      index += 1;
    } else if (char === "?") {
      if (source.charAt(index + 1) !== "?")
        throw new SpecError(`"?" alone: use "??" between alternatives`, offset);
      tokens.push({ kind: "punct", text: "??", offset });
      index += 2;
    } else if (char === "|" || char === ":" || char === ",") {
      tokens.push({ kind: "punct", text: char, offset });
      index += 1;
    } else if (char === "'" || char === '"') {
      let text = "";
      let end = index + 1;
      for (; end < source.length && source.charAt(end) !== char; end += 1) {
        if (source.charAt(end) === "\\" && end + 1 < source.length) {
          end += 1;
          const escaped = source.charAt(end);
          text += ESCAPES[escaped] ?? escaped;
        } else text += source.charAt(end);
      }
      if (end >= source.length)
        throw new SpecError(`the text started here is not closed with ${char}`, offset);
      tokens.push({ kind: "string", text, offset });
      index = end + 1;
    } else {
      let end = index;
      while (end < source.length && WORD.test(source.charAt(end))) end += 1;
      const text = source.slice(index, end);
      if (NUMBER.test(text)) tokens.push({ kind: "number", value: Number(text), text, offset });
      else tokens.push({ kind: "word", text, offset });
      index = end;
    }
  }
  return tokens;
}

function describeToken(token: Token | undefined): string {
  return token ? `"${token.text}"` : "the end";
}

/** Parses and compiles one expression (the inside of `{{ }}` or of a block's test). */
function compileExpression(source: string, base: number, env: TemplateEnv): Getter {
  const tokens = tokenize(source, base);
  let position = 0;
  const peek = (): Token | undefined => tokens[position];
  const next = (): Token | undefined => tokens[position++];

  function literalOrPath(token: Token | undefined): Getter {
    if (!token || token.kind === "punct") {
      throw new SpecError(
        `expected a path or a literal, found ${describeToken(token)}`,
        token?.offset ?? base + source.length,
      );
    }
    if (token.kind === "string") {
      const text = token.text;
      return () => text;
    }
    if (token.kind === "number") {
      const value = token.value;
      return () => value;
    }
    if (token.text === "true" || token.text === "false") {
      const value = token.text === "true";
      return () => value;
    }
    try {
      return compilePath(token.text, env);
    } catch (error) {
      if (error instanceof SpecError) throw new SpecError(error.message, token.offset);
      throw error;
    }
  }

  function argument(): unknown {
    const token = next();
    if (!token || token.kind === "punct") {
      throw new SpecError(
        `expected an argument, found ${describeToken(token)}`,
        token?.offset ?? base + source.length,
      );
    }
    if (token.kind === "number") return token.value;
    if (token.kind === "word" && (token.text === "true" || token.text === "false"))
      return token.text === "true";
    return token.text;
  }

  function filter(): TransformFn {
    const name = next();
    if (!name || name.kind !== "word") {
      throw new SpecError(
        `expected a filter name after "|", found ${describeToken(name)}`,
        name?.offset ?? base + source.length,
      );
    }
    const args: unknown[] = [];
    if (peek()?.text === ":") {
      next();
      args.push(argument());
      while (peek()?.text === ",") {
        next();
        args.push(argument());
      }
    }
    try {
      return compileFilter(name.text, args, env);
    } catch (error) {
      if (error instanceof SpecError) throw new SpecError(error.message, name.offset);
      throw error;
    }
  }

  function alternative(): Getter {
    const read = literalOrPath(next());
    const filters: TransformFn[] = [];
    while (peek()?.text === "|") {
      next();
      filters.push(filter());
    }
    const chain = chainTransforms(filters);
    if (!chain) return read;
    return (context) => chain(read(context), context);
  }

  if (tokens.length === 0) throw new SpecError("empty expression", base);
  const alternatives: Getter[] = [alternative()];
  while (peek()?.text === "??") {
    next();
    alternatives.push(alternative());
  }
  const extra = peek();
  if (extra) {
    throw new SpecError(
      `unexpected ${describeToken(extra)}; separate alternatives with "??" and filters with "|"`,
      extra.offset,
    );
  }
  if (alternatives.length === 1) return alternatives[0] as Getter;
  return (context) => {
    let value: unknown;
    for (const read of alternatives) {
      value = read(context);
      if (!isEmpty(value)) return value;
    }
    return value;
  };
}

type Piece = ((context: EvalContext) => string) | string;

/**
 * Blocks nest as closures that call each other, so a deep enough template overflows the stack
 * when an item is built (not when it is compiled). No real template needs more than a handful of
 * levels; the limit refuses the rest where the mapping is loaded, with its line.
 */
export const MAX_BLOCK_DEPTH = 64;

interface OpenBlock {
  name: "if" | "unless";
  offset: number;
  test: Getter;
  then: Piece[];
  otherwise: Piece[] | undefined;
}

/** Finds the `}}` that closes a tag opened at `start`, skipping quoted text. */
function tagEnd(text: string, start: number): number {
  let quote: string | undefined;
  for (let index = start + 2; index < text.length; index += 1) {
    const char = text.charAt(index);
    if (quote) {
      if (char === "\\") index += 1;
      else if (char === quote) quote = undefined;
    } else if (char === "'" || char === '"') quote = char;
    else if (char === "}" && text.charAt(index + 1) === "}") return index;
    else if (char === "{" && text.charAt(index + 1) === "{") break;
  }
  throw new SpecError(`"{{" is not closed with "}}"`, start);
}

function joinPieces(pieces: readonly Piece[]): Piece {
  if (pieces.length === 0) return "";
  if (pieces.every((piece) => typeof piece === "string")) return pieces.join("");
  if (pieces.length === 1) return pieces[0] as Piece;
  return (context) => {
    let text = "";
    for (const piece of pieces) text += typeof piece === "string" ? piece : piece(context);
    return text;
  };
}

function blockPiece(block: OpenBlock): Piece {
  const then = joinPieces(block.then);
  const otherwise = joinPieces(block.otherwise ?? []);
  const test = block.test;
  const negate = block.name === "unless";
  return (context) => {
    const holds = !isEmpty(test(context)) !== negate;
    const chosen = holds ? then : otherwise;
    return typeof chosen === "string" ? chosen : chosen(context);
  };
}

/**
 * Compiles a template into a getter. A template that is exactly one `{{ expr }}` gives the value
 * itself (a price stays Money, a list stays a list); any other template gives text.
 */
export function compileTemplate(text: string, env: TemplateEnv): Getter {
  const root: Piece[] = [];
  const stack: OpenBlock[] = [];
  const target = (): Piece[] => {
    const top = stack[stack.length - 1];
    return top ? (top.otherwise ?? top.then) : root;
  };
  let rootExpression: { piece: Piece; read: Getter } | undefined;
  let cursor = 0;
  while (cursor < text.length) {
    const start = text.indexOf("{{", cursor);
    if (start === -1) {
      target().push(text.slice(cursor));
      break;
    }
    if (start > cursor) target().push(text.slice(cursor, start));
    const end = tagEnd(text, start);
    const inner = text.slice(start + 2, end);
    const lead = inner.length - inner.trimStart().length;
    const body = inner.trim();
    const bodyOffset = start + 2 + lead;
    cursor = end + 2;

    const block = /^#(if|unless)(?:\s+|$)/.exec(body);
    if (block) {
      const name = block[1] as "if" | "unless";
      const expression = body.slice(block[0].length);
      if (expression === "") throw new SpecError(`{{#${name}}} needs an expression to test`, bodyOffset);
      if (stack.length >= MAX_BLOCK_DEPTH) {
        throw new SpecError(
          `blocks nested more than ${MAX_BLOCK_DEPTH} deep; flatten the template (split it over fields, or use ?? between alternatives)`,
          start,
        );
      }
      const test = compileExpression(expression, bodyOffset + block[0].length, env);
      stack.push({ name, offset: start, test, then: [], otherwise: undefined });
    } else if (body === "else") {
      const top = stack[stack.length - 1];
      if (!top) throw new SpecError("{{else}} outside an {{#if}} or {{#unless}} block", start);
      if (top.otherwise) throw new SpecError(`a second {{else}} in the {{#${top.name}}} block`, start);
      top.otherwise = [];
    } else if (body.startsWith("/")) {
      const name = body.slice(1).trim();
      const top = stack.pop();
      if (!top) throw new SpecError(`{{/${name}}} closes no block`, start);
      if (top.name !== name)
        throw new SpecError(
          `{{/${name}}} closes the {{#${top.name}}} block; expected {{/${top.name}}}`,
          start,
        );
      target().push(blockPiece(top));
    } else if (body.startsWith("#")) {
      throw new SpecError(
        `unknown block "${body.split(/\s/)[0] ?? body}"; blocks are #if and #unless`,
        bodyOffset,
      );
    } else {
      const expression = compileExpression(body, bodyOffset, env);
      const piece: Piece = (context) => toText(expression(context));
      if (stack.length === 0) rootExpression = { piece, read: expression };
      target().push(piece);
    }
  }
  const open = stack[stack.length - 1];
  if (open) throw new SpecError(`{{#${open.name}}} is not closed with {{/${open.name}}}`, open.offset);

  if (rootExpression && root.length === 1 && root[0] === rootExpression.piece) return rootExpression.read;
  const whole = joinPieces(root);
  if (typeof whole === "string") return () => whole;
  return whole;
}
