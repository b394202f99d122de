/** What a key-shaped substring becomes in the journal. */
export const REDACTED = '[redacted]';

/**
 * Key shapes the journal refuses to store (defence in depth: callers pass names and
 * fingerprints, never values, but a detail built from a child's error message might still
 * carry one). Looser than the log redactor's (shorter minimum lengths) because a false
 * positive here only blurs a detail, while a miss would put a key on disk for good.
 */
const KEY_SHAPES = new RegExp(
  String.raw`(?<![A-Za-z0-9_-])(?:` +
    [
      String.raw`sk-ant-[A-Za-z0-9_-]{6,}`,
      String.raw`sk-(?:proj-)?[A-Za-z0-9_-]{16,}`,
      String.raw`AKIA[0-9A-Z]{16}`,
      String.raw`gh[pousr]_[A-Za-z0-9]{20,}`,
      String.raw`github_pat_[A-Za-z0-9_]{20,}`,
      String.raw`xox[baprs]-[A-Za-z0-9-]{10,}`,
    ].join('|') +
    ')',
  'g',
);

/** Replace every key-shaped substring with [redacted]. */
export function scrubKeyShapes(text: string): string {
  return text.replace(KEY_SHAPES, REDACTED);
}

/** Longest detail kept; entries are one-line facts, not log dumps. */
export const MAX_DETAIL_CHARS = 1000;

/** Scrub, flatten to one line of reasonable length. */
export function cleanDetail(detail: string): string {
  const scrubbed = scrubKeyShapes(detail);
  return scrubbed.length > MAX_DETAIL_CHARS
    ? `${scrubbed.slice(0, MAX_DETAIL_CHARS - 1)}…`
    : scrubbed;
}
