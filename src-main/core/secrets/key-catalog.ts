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

/**
 * Checks the shape of a key before it is stored. Messages name the expected prefix and the
 * length only: echoing even part of a wrong value would put it on screen and in logs.
 */
export function validateKeyFormat(name: string, value: string): FormatCheck {
  const spec = keySpec(name);
  const article = spec && /^[AEIOU]/.test(spec.provider) ? 'An' : 'A';
  const provider = spec ? `${article} ${spec.provider} key` : `A ${name} value`;
  if (value.length === 0) return { ok: false, message: `${provider} cannot be empty.` };
  const space = value.search(/\s/);
  if (space >= 0) {
    return {
      ok: false,
      message: `The key contains a space or line break at character ${space + 1}. Copy it again without spaces.`,
    };
  }
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
