/** A secret value to hide, under the name shown in its place (e.g. ANTHROPIC_API_KEY). */
export interface NamedSecret {
  name: string;
  value: string;
}

/** A redacted line and the names of what was found in it (each name once). */
export interface RedactionResult {
  text: string;
  /** Shared frozen empty array when nothing was found; do not mutate. */
  hits: readonly string[];
}

/**
 * Values shorter than this are not redacted: replacing every "abc" in every log line would
 * wreck the logs and a real API key is never that short.
 */
export const MIN_SECRET_LENGTH = 8;

/** The placeholder a secret becomes. */
export function redactionMarker(name: string): string {
  return `[redacted:${name}]`;
}

/**
 * Well-known key shapes. Each is anchored so it cannot start inside a longer token
 * ("task-queue-..." holds "sk-" but is not a key), and the fixed-length ones cannot end
 * inside one either. Order matters: sk-ant- must win over the generic sk-.
 */
const PATTERNS: readonly { name: string; source: string }[] = [
  { name: 'anthropic-key', source: String.raw`sk-ant-[A-Za-z0-9_-]{10,}` },
  { name: 'openai-key', source: String.raw`sk-(?:proj-)?[A-Za-z0-9_-]{20,}` },
  { name: 'aws-access-key', source: String.raw`AKIA[0-9A-Z]{16}(?![A-Za-z0-9])` },
  { name: 'github-token', source: String.raw`ghp_[A-Za-z0-9]{36}(?![A-Za-z0-9])` },
  { name: 'github-token', source: String.raw`github_pat_[A-Za-z0-9_]{22,}` },
  { name: 'slack-token', source: String.raw`xox[baprs]-[A-Za-z0-9-]{10,}` },
];

/** One regex, one pass: group i+1 is PATTERNS[i]. */
const COMBINED = new RegExp(
  String.raw`(?<![A-Za-z0-9_-])(?:` + PATTERNS.map((p) => `(${p.source})`).join('|') + ')',
  'g',
);

/**
 * Substrings at least one pattern needs; text with none of them skips the regex. Each is split
 * into a `head` and the `tail` searched for in raw bytes: Buffer#indexOf finds a needle by
 * scanning for its first byte, so starting on a rarer byte ('k' rather than 's', 'h' rather
 * than 'g', '_' rather than 'g') makes the screen of a block several times faster on ordinary
 * text. A hit counts only when `head` precedes it.
 */
const NEEDLES: readonly (readonly [head: string, tail: string])[] = [
  ['s', 'k-'],
  ['', 'AKIA'],
  ['g', 'hp_'],
  ['github', '_pat_'],
  ['', 'xox'],
];
/** NEEDLES for one line's text (needles are plain letters, digits, "-" and "_"). */
const PREFIXES = new RegExp(NEEDLES.map(([head, tail]) => head + tail).join('|'));
/** NEEDLES for a block's bytes. */
const PREFIX_BYTES = NEEDLES.map(([head, tail]) => ({
  head: Buffer.from(head, 'latin1'),
  tail: Buffer.from(tail, 'latin1'),
}));

/** Whether `head + tail` occurs in `bytes`, searching for `tail`. */
function includesSplit(bytes: Buffer, head: Buffer, tail: Buffer): boolean {
  const h = head.length;
  for (let i = bytes.indexOf(tail, h); i !== -1; i = bytes.indexOf(tail, i + 1)) {
    if (h === 0 || bytes.compare(head, 0, h, i - h, i) === 0) return true;
  }
  return false;
}

const NO_HITS: readonly string[] = Object.freeze([]);

function mayHavePattern(text: string): boolean {
  return PREFIXES.test(text);
}

/**
 * Line redactor: known secret values (current and, during a rotation, previous) and
 * well-known key shapes become `[redacted:NAME]`. Works on whole lines, so the line splitter
 * upstream is what makes a key split across two chunks redactable.
 *
 * A line longer than the splitter's cut limit is redacted piece by piece; a key straddling a
 * cut is not caught (documented limit: keys are ~100 bytes, pieces 16 KiB).
 */
export class Redactor {
  private secrets: readonly NamedSecret[] = [];
  /** The secrets' UTF-8 bytes for mayRedactBytes; zeroed when replaced. */
  private secretBytes: Buffer[] = [];

  constructor(secrets: readonly NamedSecret[] = []) {
    this.setSecrets(secrets);
  }

  /** Replace the known values; the caller passes the vault's current and previous values. */
  setSecrets(list: readonly NamedSecret[]): void {
    // Longest first, so a value that contains another is replaced whole, not around the inner one.
    this.secrets = list
      .filter((s) => s.value.length >= MIN_SECRET_LENGTH)
      .map((s) => ({ name: s.name, value: s.value }))
      .sort((a, b) => b.value.length - a.value.length);
    for (const b of this.secretBytes) b.fill(0);
    this.secretBytes = this.secrets.map((s) => Buffer.from(s.value, 'utf8'));
  }

  /** How many values are currently watched (for tests and diagnostics, never the values). */
  get secretCount(): number {
    return this.secrets.length;
  }

  /**
   * False when `bytes`, valid UTF-8 of any number of lines, hold no secret value and nothing a
   * key shape needs, so none of its lines would be changed by `redact`; true means "maybe".
   * Checked on the bytes (in valid UTF-8 a string's encoding occurs exactly where the string
   * does), so a block is screened without a regex pass over its decoded text.
   */
  mayRedactBytes(bytes: Buffer): boolean {
    for (const s of this.secretBytes) if (bytes.includes(s)) return true;
    for (const p of PREFIX_BYTES) if (includesSplit(bytes, p.head, p.tail)) return true;
    return false;
  }

  /** The line with every secret replaced, and which names were found. Same string if none. */
  redact(text: string): RedactionResult {
    let out = text;
    let hits = NO_HITS;
    for (const s of this.secrets) {
      if (!out.includes(s.value)) continue;
      out = out.replaceAll(s.value, redactionMarker(s.name));
      hits = addHit(hits, s.name);
    }
    if (mayHavePattern(out)) {
      const found = new Set<string>();
      out = out.replace(COMBINED, (_match: string, ...groups: unknown[]) => {
        const i = groups.findIndex((g, k) => k < PATTERNS.length && g !== undefined);
        const name = PATTERNS[i]?.name ?? 'key';
        found.add(name);
        return redactionMarker(name);
      });
      for (const name of found) hits = addHit(hits, name);
    }
    return { text: out, hits };
  }
}

function addHit(hits: readonly string[], name: string): readonly string[] {
  if (hits === NO_HITS) return [name];
  if (!hits.includes(name)) (hits as string[]).push(name);
  return hits;
}
