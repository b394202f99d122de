/**
 * ANSI escape sequences: CSI (colours, cursor moves) and OSC (titles, hyperlinks ending in BEL
 * or ST). Same shape as the widely used `ansi-regex` package, inlined because a 1-line pattern
 * is not worth a dependency in the capture hot path.
 */
const ANSI_PATTERN =
  // eslint-disable-next-line no-control-regex
  /[\u001B\u009B][[\]()#;?]*(?:(?:(?:(?:;[-a-zA-Z\d/#&.:=?%@~_]+)*|[a-zA-Z\d]+(?:;[-a-zA-Z\d/#&.:=?%@~_]*)*)?(?:\u0007|\u001B\\))|(?:(?:\d{1,4}(?:;\d{0,4})*)?[\dA-PR-TZcf-nq-uy=><~]))/g;

/** True when the text holds an escape introducer (cheap pre-check before any regex work). */
export function hasAnsi(text: string): boolean {
  return text.includes('\u001B') || text.includes('\u009B');
}

const C1_CSI = Buffer.from('\u009B', 'utf8');

/** hasAnsi for the UTF-8 bytes of a text. */
export function hasAnsiBytes(bytes: Buffer): boolean {
  return bytes.includes(0x1b) || bytes.includes(C1_CSI);
}

/** The text without ANSI escape sequences (for level parsing and search; display keeps them). */
export function stripAnsi(text: string): string {
  return hasAnsi(text) ? text.replace(ANSI_PATTERN, '') : text;
}
