/**
 * Splits a JSON catalog into its product elements while it streams: the elements of a top-level
 * array (`[ {...}, ... ]`) or of the `products` array of a top-level object. It only tracks
 * strings, escapes and nesting depth; each element is parsed later by `JSON.parse`, in a build
 * worker. A string left open at the end of a line (JSON strings cannot hold raw line breaks) is
 * reported, and reading resumes at the next element that starts a line no deeper than the broken one.
 */
export interface JsonElement {
  text: string;
  /** Line of the element's first character. */
  line: number;
}

export interface JsonSplitProblem {
  line: number;
  message: string;
}

export interface JsonElementSplitter {
  /** Feeds the next chunk of text; complete elements and problems are handed to the callbacks. */
  push(text: string): void;
  /** End of input: reports an element or array left open. */
  end(): void;
}

const enum State {
  Start,
  /** Inside the top-level object, looking for `"products": [`. */
  Wrapper,
  /** Between elements of the products array. */
  Array,
  Element,
  /** After a broken element: skipping to a line that starts a new element. */
  Resync,
  After,
}

const NEWLINE = 10;
const SPACE = 32;
const TAB = 9;
const CR = 13;
const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const COLON = 58;

export function createJsonElementSplitter(
  onElement: (element: JsonElement) => void,
  onProblem: (problem: JsonSplitProblem) => void,
): JsonElementSplitter {
  let state = State.Start;
  let line = 1;
  let column = 0;
  let lineStart = true;
  // The element being read: text of earlier chunks, where it starts, and its nesting.
  let pieces = "";
  let elementLine = 0;
  let elementColumn = 0;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let primitive = false;
  // The wrapper object `{ ..., "products": [ ... ] }`: its depth, the key being read and the last one.
  let wrapperDepth = 0;
  let wrapperString = false;
  let readingKey = false;
  let expectKey = false;
  let keyText = "";
  let lastKey = "";
  let sawColon = false;
  let foundProducts = false;
  let wrapped = false;

  function push(text: string): void {
    let start = state === State.Element ? 0 : -1;
    const begin = (i: number, code: number) => {
      state = State.Element;
      start = i;
      pieces = "";
      elementLine = line;
      elementColumn = column;
      depth = code === OPEN_BRACE || code === OPEN_BRACKET ? 1 : 0;
      inString = code === QUOTE;
      escaped = false;
      primitive = depth === 0 && !inString;
    };
    const finish = (end: number) => {
      onElement({ text: pieces + text.slice(start, end), line: elementLine });
      pieces = "";
      start = -1;
      state = State.Array;
    };
    const closeArray = () => {
      state = wrapperDepth > 0 ? State.Wrapper : State.After;
      lastKey = "";
      sawColon = false;
    };

    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      switch (state) {
        case State.Start:
          if (isSpace(code)) break;
          if (code === OPEN_BRACKET) state = State.Array;
          else if (code === OPEN_BRACE) {
            state = State.Wrapper;
            wrapped = true;
            wrapperDepth = 1;
            expectKey = true;
          } else {
            onProblem({
              line,
              message: "expected a JSON array of products, or an object with a products array",
            });
            state = State.After;
          }
          break;
        case State.Wrapper:
          if (wrapperString) {
            if (escaped) escaped = false;
            else if (code === BACKSLASH) escaped = true;
            else if (code === QUOTE) {
              wrapperString = false;
              if (readingKey) lastKey = keyText;
            } else if (readingKey) keyText += text[i];
            break;
          }
          if (isSpace(code)) break;
          if (code === QUOTE) {
            wrapperString = true;
            readingKey = wrapperDepth === 1 && expectKey;
            expectKey = false;
            keyText = "";
          } else if (code === COLON && wrapperDepth === 1) {
            sawColon = true;
          } else if (code === OPEN_BRACKET && wrapperDepth === 1 && sawColon && lastKey === "products") {
            state = State.Array;
            foundProducts = true;
          } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
            wrapperDepth++;
          } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
            wrapperDepth--;
            if (wrapperDepth === 0) state = State.After;
          } else if (code === COMMA && wrapperDepth === 1) {
            expectKey = true;
            lastKey = "";
            sawColon = false;
          }
          break;
        case State.Array:
          if (isSpace(code) || code === COMMA) break;
          if (code === CLOSE_BRACKET) closeArray();
          else begin(i, code);
          break;
        case State.Element:
          if (primitive) {
            // A bare number or word: not a product, but it is handed on so decoding reports it.
            if (code === COMMA || code === CLOSE_BRACKET || isSpace(code)) {
              finish(i);
              if (code === CLOSE_BRACKET) closeArray();
            }
          } else if (inString) {
            if (escaped) escaped = false;
            else if (code === BACKSLASH) escaped = true;
            else if (code === QUOTE) {
              inString = false;
              if (depth === 0) finish(i + 1);
            } else if (code === NEWLINE) {
              onProblem({
                line: elementLine,
                message: `a string in the element starting on this line is not closed on line ${line}; the element is skipped`,
              });
              state = State.Resync;
              start = -1;
              pieces = "";
            }
          } else if (code === QUOTE) inString = true;
          else if (code === OPEN_BRACE || code === OPEN_BRACKET) depth++;
          else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
            depth--;
            if (depth === 0) finish(i + 1);
          }
          break;
        case State.Resync:
          // Resume at the first line that starts with `{` no deeper than the broken element.
          if (!lineStart || code === SPACE || code === TAB || code === CR || code === NEWLINE) break;
          if (code === OPEN_BRACE && column <= elementColumn) begin(i, code);
          else if (code === CLOSE_BRACKET && column < elementColumn) closeArray();
          break;
        case State.After:
          break;
      }
      if (code === NEWLINE) {
        line++;
        column = 0;
        lineStart = true;
      } else {
        column++;
        if (code !== SPACE && code !== TAB && code !== CR) lineStart = false;
      }
    }
    if (state === State.Element) pieces += text.slice(start);
  }

  function end(): void {
    if (state === State.Element && primitive) {
      onElement({ text: pieces, line: elementLine });
    } else if (state === State.Element) {
      onProblem({
        line: elementLine,
        message: "the element starting on this line is not closed before the end of the file",
      });
    } else if (state === State.Start) {
      onProblem({ line, message: "the file is empty" });
    } else if (state === State.Array || state === State.Resync) {
      onProblem({ line, message: "the products array is not closed before the end of the file" });
    } else if (wrapped && !foundProducts) {
      onProblem({ line: 1, message: 'the object has no "products" array' });
    }
  }

  return { push, end };
}

function isSpace(code: number): boolean {
  return code === SPACE || code === NEWLINE || code === CR || code === TAB;
}
