/** One key the app knows how to ask for. */
export interface KeySpec {
  name: string;
  provider: string;
  /** A service cannot start without it (agent-runner needs ANTHROPIC_API_KEY). */
  required: boolean;
  /** Expected start of the value, when the provider has one. */
  prefix: string | null;
  minLength: number;
  maxLength: number;
}

/** The keys of the Stigmer stack. */
export const KEY_CATALOG: readonly KeySpec[] = [
  {
    name: 'ANTHROPIC_API_KEY',
    provider: 'Anthropic',
    required: true,
    prefix: 'sk-ant-',
    minLength: 40,
    maxLength: 400,
  },
  {
    name: 'OPENAI_API_KEY',
    provider: 'OpenAI',
    required: false,
    prefix: 'sk-',
    minLength: 20,
    maxLength: 400,
  },
  {
    name: 'CURSOR_API_KEY',
    provider: 'Cursor',
    required: false,
    prefix: null,
    minLength: 16,
    maxLength: 400,
  },
];

/** Environment-variable style names; anything else cannot be passed to a child. */
export const KEY_NAME_PATTERN = /^[A-Z][A-Z0-9_]{0,127}$/;

/** The catalog entry for `name`, if it is a known key. */
export function keySpec(name: string): KeySpec | undefined {
  return KEY_CATALOG.find((spec) => spec.name === name);
}

/** Result of a format check: a message that says what is wrong, never echoing the value. */
export type FormatCheck = { ok: true } | { ok: false; message: string };

/** A value ready to store (trimmed), with a note for the user when something was removed. */
export type KeyValueCheck =
  { ok: true; value: string; notice: string | null } | { ok: false; message: string };

/** Refuses names outside the catalog: the app neither stores nor deletes keys it does not manage. */
export function managedKeyProblem(name: string): string | null {
  return keySpec(name)
    ? null
    : `${name.slice(0, 128)} is not a key Stigmer Local manages. The keys it manages are ${KEY_CATALOG.map((k) => k.name).join(', ')}.`;
}

const EDGE_SPACE = /^[ \t\r\n]+|[ \t\r\n]+$/g;
const CONTROL_NAMES = [
  'NUL',
  'SOH',
  'STX',
  'ETX',
  'EOT',
  'ENQ',
  'ACK',
  'BEL',
  'BS',
  'TAB',
  'LF',
  'VT',
  'FF',
  'CR',
  'SO',
  'SI',
  'DLE',
  'DC1',
  'DC2',
  'DC3',
  'DC4',
  'NAK',
  'SYN',
  'ETB',
  'CAN',
  'EM',
  'SUB',
  'ESC',
  'FS',
  'GS',
  'RS',
  'US',
];
const RETRY = "Paste the key again from your provider's console.";

/** Says what a run of trimmed whitespace was ("a trailing newline", "leading spaces"). */
function describeRun(run: string, where: 'leading' | 'trailing'): string {
  const breaks = run.replace(/\r\n/g, '\n').replace(/\r/g, '\n');
  if (/^\n+$/.test(breaks)) return breaks.length === 1 ? `a ${where} newline` : `${where} newlines`;
  if (/^ +$/.test(run)) return run.length === 1 ? `a ${where} space` : `${where} spaces`;
  if (/^\t+$/.test(run)) return run.length === 1 ? `a ${where} tab` : `${where} tabs`;
  return `${where} spaces and line breaks`;
}

/**
 * What kind of character `cp` is, in words; null for printable ASCII (0x21-0x7E), the only
 * characters a provider's key is made of. A code point is named only for invisible ones
 * (where the name is the only way to find it); a visible letter is never quoted.
 */
function badCharacter(cp: number): string | null {
  if (cp >= 0x21 && cp <= 0x7e) return null;
  if (cp === 0x20) return 'a space';
  if (cp === 0x09) return 'a tab';
  if (cp === 0x0a || cp === 0x0d) return 'a line break';
  if (cp < 0x20) return `a control character (${CONTROL_NAMES[cp]})`;
  if (cp === 0x7f) return 'a control character (DEL)';
  if (cp >= 0x80 && cp <= 0x9f) return `a control character (U+${hex(cp)})`;
  if (cp === 0xa0) return 'a no-break space (U+00A0)';
  if (/[\p{Z}\p{Cf}]/u.test(String.fromCodePoint(cp))) {
    return `an invisible character (U+${hex(cp)})`;
  }
  return 'a non-ASCII character';
}

function hex(cp: number): string {
  return cp.toString(16).toUpperCase().padStart(4, '0');
}

/** The first character outside printable ASCII, as advice; positions count from 1 + offset. */
function characterProblem(value: string, offset = 0): string | null {
  let position = offset;
  for (const char of value) {
    position += 1;
    const kind = badCharacter(char.codePointAt(0)!);
    if (kind) return `The key contains ${kind} at position ${position}. ${RETRY}`;
  }
  return null;
}

/**
 * Trims spaces, tabs and line breaks around a pasted value (saying so in `notice`) and refuses
 * any other character outside printable ASCII, naming its position and kind, never the value.
 */
export function cleanKeyValue(raw: string): KeyValueCheck {
  const leading = /^[ \t\r\n]+/.exec(raw)?.[0] ?? '';
  const value = raw.replace(EDGE_SPACE, '');
  const trailing = value === '' ? '' : (/[ \t\r\n]+$/.exec(raw)?.[0] ?? '');
  const problem = characterProblem(value, [...leading].length);
  if (problem) return { ok: false, message: problem };
  const removed = [
    leading && describeRun(leading, 'leading'),
    trailing && describeRun(trailing, 'trailing'),
  ].filter(Boolean);
  const notice = removed.length ? `Removed ${removed.join(' and ')} from the pasted key.` : null;
  return { ok: true, value, notice };
}

/** The full check of a key typed in the dialog: trim, characters, then the provider's format. */
export function checkKeyValue(name: string, raw: string): KeyValueCheck {
  const clean = cleanKeyValue(raw);
  if (!clean.ok) return clean;
  const format = validateKeyFormat(name, clean.value);
  return format.ok ? clean : format;
}

/**
 * Checks the shape of a key before it is stored. Messages name the expected prefix and the
 * length only: echoing even part of a wrong value would put it on screen and in logs.
 */
export function validateKeyFormat(name: string, value: string): FormatCheck {
  const spec = keySpec(name);
  const article = spec && /^[AEIOU]/.test(spec.provider) ? 'An' : 'A';
  const provider = spec ? `${article} ${spec.provider} key` : `A ${name} value`;
  if (value.length === 0) return { ok: false, message: `${provider} cannot be empty.` };
  const character = characterProblem(value);
  if (character) return { ok: false, message: character };
  if (spec?.prefix && !value.startsWith(spec.prefix)) {
    return {
      ok: false,
      message: `${provider} starts with "${spec.prefix}"; this one does not. Check that you copied the ${spec.provider} key.`,
    };
  }
  const min = spec?.minLength ?? 8;
  const max = spec?.maxLength ?? 400;
  if (value.length < min) {
    return {
      ok: false,
      message: `${provider} is at least ${min} characters long; this one has ${value.length}. It may be cut off.`,
    };
  }
  if (value.length > max) {
    return {
      ok: false,
      message: `${provider} is at most ${max} characters long; this one has ${value.length}. Something extra may have been pasted.`,
    };
  }
  return { ok: true };
}
