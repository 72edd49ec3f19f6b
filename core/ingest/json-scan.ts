/**
 * Counts the items of the largest array that is a direct value of a JSON root object, by scanning the
 * UTF-8 bytes once, without building any value. JSON's structural characters are ASCII and never
 * occur inside a multi-byte UTF-8 sequence, so scanning bytes is exact.
 *
 * Why: `JSON.parse` of a CloudWatch Logs envelope whose `logEvents` holds millions of tiny entries
 * (`[{},{},…]`, 3 bytes each) allocates an object per entry — hundreds of MB from a few MB of text —
 * before any check can run. This scan lets the decoder refuse such a batch first. It only needs to be
 * exact for valid JSON: for invalid JSON the count may be anything, and `JSON.parse` rejects the text
 * afterwards unless the count already refused it.
 */
export function largestRootArrayLength(bytes: Uint8Array): number {
  let depth = 0;
  let inString = false;
  // State of the array directly under the root object, while the scan is inside it.
  let inRootArray = false;
  let expectingItem = false;
  let items = 0;
  let largest = 0;
  for (let index = 0; index < bytes.length; index++) {
    const byte = bytes[index] as number;
    if (inString) {
      // Most of an envelope is string content (each message is escaped JSON): jump to the closing
      // quote with the native search instead of stepping through it byte by byte in JS.
      index = closingQuote(bytes, index);
      inString = false;
      continue;
    }
    if (byte === SPACE || byte === TAB || byte === LF || byte === CR) continue;
    // Any value starting directly inside the root array is one item.
    if (depth === 2 && inRootArray && expectingItem && byte !== COMMA && byte !== CLOSE_ARRAY) {
      items += 1;
      expectingItem = false;
    }
    switch (byte) {
      case QUOTE:
        inString = true;
        break;
      case OPEN_OBJECT:
        depth += 1;
        break;
      case OPEN_ARRAY:
        depth += 1;
        if (depth === 2) {
          inRootArray = true;
          expectingItem = true;
          items = 0;
        }
        break;
      case CLOSE_OBJECT:
      case CLOSE_ARRAY:
        depth -= 1;
        if (depth === 1 && inRootArray) {
          inRootArray = false;
          if (items > largest) largest = items;
        }
        break;
      case COMMA:
        if (depth === 2 && inRootArray) expectingItem = true;
        break;
      default:
        break;
    }
  }
  // An unterminated array still counts: the text is invalid, but its size is what matters here.
  return inRootArray && items > largest ? items : largest;
}

/**
 * The index of the quote that closes a string whose content starts at `from` (bytes.length when the
 * text ends first): the next quote preceded by an even number of backslashes.
 */
export function closingQuote(bytes: Uint8Array, from: number): number {
  let quote = bytes.indexOf(QUOTE, from);
  while (quote !== -1) {
    let backslashes = 0;
    while (quote - 1 - backslashes >= from && bytes[quote - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote;
    quote = bytes.indexOf(QUOTE, quote + 1);
  }
  return bytes.length;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
