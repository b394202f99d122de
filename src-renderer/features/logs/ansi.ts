/** A run of text with the SGR classes in force (e.g. "ansi-fg-1 ansi-bold"). */
export interface AnsiSegment {
  text: string;
  cls: string;
}

/*
 * Escape sequences in ECMA-48 shapes, in match order:
 *  1. CSI: ESC [ or U+009B, parameter bytes 0x30-0x3F, intermediate bytes 0x20-0x2F, final byte
 *     0x40-0x7E (group 3). Group 1 holds the leading digits, ":" and ";"; group 2 the rest,
 *     which is non-empty for private parameters (< = > ?, e.g. ESC[>4;2m is not SGR) and for
 *     intermediates (also tolerating parameter bytes after them). So a CSI is SGR exactly when
 *     group 3 is "m" and group 2 is empty. A CSI cut off before its final byte is dropped.
 *  2. Control strings: OSC (ESC ]), DCS (ESC P), SOS (ESC X), PM (ESC ^), APC (ESC _) or their
 *     C1 forms (U+009D, U+0090, U+0098, U+009E, U+009F), up to BEL or ST (ESC \ or U+009C).
 *     Unterminated, they run to the end of the line, or to the next ESC (which, as in a
 *     terminal, cancels the string and starts a new escape). So OSC 8 hyperlinks keep their
 *     text and lose only the escapes.
 *  3. Other escapes: ESC, intermediates 0x20-0x2F (e.g. "(" in ESC ( B), final 0x30-0x7E
 *     (ESC 7, ESC c, ESC =, ESC M ...); a lone or truncated ESC is dropped too.
 *  4. Stray control characters: C0 except tab and newline, DEL, and C1 (U+0080-U+009F).
 */
const ESCAPES =
  // eslint-disable-next-line no-control-regex
  /(?:\x1b\[|\x9b)([0-;]*)([ -?]*)([@-~])?|(?:\x1b[\]PX^_]|[\x90\x98\x9d-\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?|\x1b[ -/]*[0-~]?|[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

/** Any character that starts something ESCAPES removes (ESC, U+009B ... are all in here). */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;

interface Style {
  fg: number | null;
  bg: number | null;
  bold: boolean;
  dim: boolean;
  italic: boolean;
  underline: boolean;
}

const plain = (): Style => ({
  fg: null,
  bg: null,
  bold: false,
  dim: false,
  italic: false,
  underline: false,
});

function applySgr(style: Style, params: string): void {
  const codes = params === '' ? [0] : params.split(/[;:]/).map((p) => Number(p) || 0);
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i]!;
    if (c === 0) Object.assign(style, plain());
    else if (c === 1) style.bold = true;
    else if (c === 2) style.dim = true;
    else if (c === 3) style.italic = true;
    else if (c === 4) style.underline = true;
    else if (c === 22) style.bold = style.dim = false;
    else if (c === 23) style.italic = false;
    else if (c === 24) style.underline = false;
    else if (c >= 30 && c <= 37) style.fg = c - 30;
    else if (c >= 90 && c <= 97) style.fg = c - 90 + 8;
    else if (c === 39) style.fg = null;
    else if (c >= 40 && c <= 47) style.bg = c - 40;
    else if (c >= 100 && c <= 107) style.bg = c - 100 + 8;
    else if (c === 49) style.bg = null;
    else if (c === 38 || c === 48) {
      // 256-colour (5;n) keeps the 16 basic ones; true colour (2;r;g;b) is skipped.
      const mode = codes[i + 1];
      const n = codes[i + 2];
      if (mode === 5 && n !== undefined && n < 16) {
        if (c === 38) style.fg = n;
        else style.bg = n;
      }
      i += mode === 5 ? 2 : mode === 2 ? 4 : 1;
    }
  }
}

function classOf(s: Style): string {
  const parts: string[] = [];
  if (s.fg !== null) parts.push(`ansi-fg-${s.fg}`);
  if (s.bg !== null) parts.push(`ansi-bg-${s.bg}`);
  if (s.bold) parts.push('ansi-bold');
  if (s.dim) parts.push('ansi-dim');
  if (s.italic) parts.push('ansi-italic');
  if (s.underline) parts.push('ansi-underline');
  return parts.join(' ');
}

/** Splits a line into styled runs; their texts joined equal `stripAnsi(text)`. */
export function parseAnsi(text: string): AnsiSegment[] {
  if (!CONTROL.test(text)) return text ? [{ text, cls: '' }] : [];
  const out: AnsiSegment[] = [];
  const style = plain();
  let last = 0;
  const push = (chunk: string) => {
    if (!chunk) return;
    const cls = classOf(style);
    const prev = out[out.length - 1];
    if (prev && prev.cls === cls) prev.text += chunk;
    else out.push({ text: chunk, cls });
  };
  for (const m of text.matchAll(ESCAPES)) {
    push(text.slice(last, m.index));
    last = m.index + m[0].length;
    if (m[3] === 'm' && m[2] === '') applySgr(style, m[1] ?? '');
  }
  push(text.slice(last));
  return out;
}

const stripped = new WeakMap<object, string>();

/** The text without escape sequences or control characters (what search and export see). */
export function stripAnsi(text: string): string {
  return CONTROL.test(text) ? text.replace(ESCAPES, '') : text;
}

/** `stripAnsi(line.text)`, cached per line object (search runs over 100,000 lines). */
export function plainText(line: { text: string }): string {
  let s = stripped.get(line);
  if (s === undefined) stripped.set(line, (s = stripAnsi(line.text)));
  return s;
}
