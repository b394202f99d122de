import type { LogLevel } from '../../../src-shared/model/log';
import { stripAnsi } from './ansi';

type Level = Exclude<LogLevel, null>;

/** Level names seen in the wild, lower-cased, to our six levels. */
const NAME_LIST: Readonly<Record<string, Level>> = {
  trace: 'trace',
  verbose: 'debug',
  debug: 'debug',
  info: 'info',
  information: 'info',
  notice: 'info',
  warn: 'warn',
  warning: 'warn',
  error: 'error',
  err: 'error',
  fatal: 'fatal',
  critical: 'fatal',
  crit: 'fatal',
  panic: 'fatal',
  dpanic: 'fatal',
  emerg: 'fatal',
  alert: 'fatal',
};

/** NAME_LIST as a Map (no prototype keys), with the upper-case spellings too, to skip most toLowerCase calls. */
const NAMES = new Map<string, Level>();
for (const [name, level] of Object.entries(NAME_LIST)) {
  NAMES.set(name, level);
  NAMES.set(name.toUpperCase(), level);
}

const WORDS =
  'trace|verbose|debug|info|information|notice|warn|warning|error|err|fatal|critical|crit|panic|dpanic|emerg|alert';

/** An optional leading timestamp ("2026-11-23T23:19:23.293Z", "2026-11-23 23:19:23,293"). */
const TS = String.raw`(?:\d{4}-\d\d-\d\d[T ][\d:.,]+(?:Z|[+-]\d\d:?\d\d)?\s+)?`;

/** JSON level field: pino/bunyan numbers or names; also "lvl" and "severity" (GCP, zap). */
const JSON_LEVEL = /"(?:level|lvl|severity)"\s*:\s*(?:"([A-Za-z]+)"|(\d+))/;
/** logfmt as printed by Go's slog and Temporal's text logger: `level=info`, `level="WARN"`. */
const LOGFMT_LEVEL = /(?:^|\s)(?:level|lvl)="?([A-Za-z]+)/;
/** `[INFO]`-style tag early in the line, e.g. after a timestamp or a `[component]` tag. */
const BRACKET_TAG = new RegExp(String.raw`^.{0,64}?\[(${WORDS})\]`, 'i');
/** `ERROR: ...`, `Warning: ...` at the start (after an optional timestamp). */
const PREFIX = new RegExp(String.raw`^${TS}(${WORDS})\s*:`, 'i');
/** `INFO  message` as log4j/python print it; upper case only, "Info about x" is prose. */
const BARE_UPPER =
  /^(?:\d{4}-\d\d-\d\d[T ][\d:.,]+(?:Z|[+-]\d\d:?\d\d)?\s+)?(TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL)\s/;
/**
 * "Fatal error in runner: ..." (agent-runner's last words before exit 1) and Go's runtime
 * "fatal error: ..."/"panic: ..." end the process, so they are fatal rather than error.
 */
const FATAL_PHRASE = new RegExp(String.raw`^${TS}(?:fatal error\b|panic:)`, 'i');

/** pino/bunyan numeric levels; values between the steps round down to the lower level. */
function fromNumber(n: number): Level {
  if (n >= 60) return 'fatal';
  if (n >= 50) return 'error';
  if (n >= 40) return 'warn';
  if (n >= 30) return 'info';
  if (n >= 20) return 'debug';
  return 'trace';
}

function fromName(name: string | undefined): LogLevel {
  if (name === undefined) return null;
  return NAMES.get(name) ?? NAMES.get(name.toLowerCase()) ?? null;
}

/**
 * Whether FATAL_PHRASE, PREFIX or BARE_UPPER could match: all are anchored at the start and begin
 * with either a timestamp (`dddd-`) or a level word, whose first letters are a c d e f i n p t v w
 * in either case (the regexes are not unicode-aware, so no other character folds onto these).
 */
function mayStartWithLevel(text: string): boolean {
  const c = text.charCodeAt(0);
  if (c >= 0x30 && c <= 0x39) {
    return text.charCodeAt(4) === 0x2d && isDigit(text, 1) && isDigit(text, 2) && isDigit(text, 3);
  }
  const l = c | 0x20; // ASCII lower case (other characters are rejected below anyway)
  return (
    l === 0x61 || // a
    l === 0x63 || // c
    l === 0x64 || // d
    l === 0x65 || // e
    l === 0x66 || // f
    l === 0x69 || // i
    l === 0x6e || // n
    l === 0x70 || // p
    l === 0x74 || // t
    l === 0x76 || // v
    l === 0x77 // w
  );
}

function isDigit(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return c >= 0x30 && c <= 0x39;
}

/** The level of a line starting with "{". */
function jsonLevel(text: string): LogLevel {
  if (text.startsWith('{"level":')) {
    // The usual shape (pino, bunyan, zap, our stand-ins) without a regex: `{"level":"warn"` or
    // `{"level":30`. A known name or a number here is the regex's leftmost match too.
    const c = text.charCodeAt(9);
    if (c === 0x22 /* " */) {
      const close = text.indexOf('"', 10);
      const level = close > 10 ? fromName(text.slice(10, close)) : null;
      if (level !== null) return level;
    } else if (c >= 0x30 && c <= 0x39) {
      let end = 10;
      while (isDigit(text, end)) end++;
      return fromNumber(Number(text.slice(9, end)));
    }
  }
  if (!text.includes('"')) return null;
  const m = JSON_LEVEL.exec(text);
  if (m === null) return null;
  return m[2] !== undefined ? fromNumber(Number(m[2])) : fromName(m[1]);
}

/** Whether the text holds `level=` or `lvl=`: one scan for their common "l=". */
function mayHaveLogfmtLevel(text: string): boolean {
  for (let i = text.indexOf('l='); i !== -1; i = text.indexOf('l=', i + 2)) {
    if ((i >= 4 && text.startsWith('leve', i - 4)) || (i >= 2 && text.startsWith('lv', i - 2))) {
      return true;
    }
  }
  return false;
}

/**
 * The level a line announces, or null. Checks, in order: a JSON `level` field, logfmt
 * `level=`, a fatal phrase, a `[LEVEL]` tag, a `LEVEL:` prefix, a bare upper-case level word.
 * ANSI colours are removed first so `\x1b[31mERROR\x1b[0m: boom` is an error.
 */
export function parseLevel(raw: string): LogLevel {
  return parsePlainLevel(stripAnsi(raw));
}

/** parseLevel for text known to hold no ANSI escapes. */
export function parsePlainLevel(text: string): LogLevel {
  const first = text.charCodeAt(0);
  // A JSON line decides alone: a JSON object without a level field has no level.
  if (first === 0x7b /* { */) return jsonLevel(text);
  if (mayHaveLogfmtLevel(text)) {
    const level = fromName(LOGFMT_LEVEL.exec(text)?.[1]);
    if (level !== null) return level;
  }
  if (first === 0x5b /* [ */) {
    // `[INFO] ...`: the tag at the very start is the earliest BRACKET_TAG match, so look it up
    // directly (the level words are at most 11 letters; a non-level tag falls through).
    const close = text.indexOf(']');
    if (close > 1 && close <= 12) {
      const level = fromName(text.slice(1, close));
      if (level !== null) return level;
    }
  }
  const anchored = mayStartWithLevel(text);
  if (anchored && FATAL_PHRASE.test(text)) return 'fatal';
  if (text.includes('[')) {
    const level = fromName(BRACKET_TAG.exec(text)?.[1]);
    if (level !== null) return level;
  }
  if (!anchored) return null;
  const prefix = PREFIX.exec(text);
  if (prefix !== null) return fromName(prefix[1]);
  return fromName(BARE_UPPER.exec(text)?.[1]);
}
