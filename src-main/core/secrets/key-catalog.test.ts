import { describe, expect, it } from 'vitest';
import {
  KEY_CATALOG,
  checkKeyValue,
  cleanKeyValue,
  keySpec,
  managedKeyProblem,
  validateKeyFormat,
} from './key-catalog';

const anthropic = `sk-ant-api03-${'a'.repeat(60)}`;

describe('key catalog', () => {
  it('knows the three Stigmer keys; only Anthropic is required', () => {
    expect(KEY_CATALOG.map((k) => [k.name, k.required])).toEqual([
      ['ANTHROPIC_API_KEY', true],
      ['OPENAI_API_KEY', false],
      ['CURSOR_API_KEY', false],
    ]);
    expect(keySpec('NOPE')).toBeUndefined();
  });

  it('accepts well-formed keys', () => {
    expect(validateKeyFormat('ANTHROPIC_API_KEY', anthropic)).toEqual({ ok: true });
    expect(validateKeyFormat('OPENAI_API_KEY', `sk-proj-${'b'.repeat(40)}`)).toEqual({ ok: true });
    expect(validateKeyFormat('CURSOR_API_KEY', 'key_0123456789abcdef')).toEqual({ ok: true });
  });

  it.each([
    ['ANTHROPIC_API_KEY', `sk-proj-secretpart${'c'.repeat(40)}`, 'starts with "sk-ant-"'],
    ['ANTHROPIC_API_KEY', 'sk-ant-short', 'at least 40 characters long; this one has 12'],
    ['ANTHROPIC_API_KEY', `${anthropic} trailing`, 'a space at position 74'],
    ['ANTHROPIC_API_KEY', '', 'cannot be empty'],
    ['OPENAI_API_KEY', `pk-secretpart${'d'.repeat(40)}`, 'An OpenAI key starts with "sk-"'],
    ['CURSOR_API_KEY', 'short', 'A Cursor key is at least 16'],
    ['CURSOR_API_KEY', 'x'.repeat(401), 'at most 400'],
  ])('explains what is wrong with a bad %s without echoing it', (name, value, expected) => {
    const result = validateKeyFormat(name, value);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message).toContain(expected);
    if (value.length > 0) expect(result.message).not.toContain(value.slice(0, 8));
    expect(result.message).not.toContain('secretpart');
  });
});

/** A recognisable value: no message may ever contain it, or any 12 characters of it. */
const canary = `sk-ant-canary-${'c4n4ry'.repeat(8)}`;
const notQuoted = (message: string) => {
  expect(message).not.toContain(canary);
  for (let i = 0; i + 12 <= canary.length; i += 6) {
    expect(message).not.toContain(canary.slice(i, i + 12));
  }
};

describe('key input rules', () => {
  it.each([
    [
      'NUL',
      `${canary.slice(0, 11)}\u0000${canary.slice(11)}`,
      'a control character (NUL) at position 12',
    ],
    ['ESC', `${canary}\u001b[0m`, `a control character (ESC) at position ${canary.length + 1}`],
    ['DEL', `\u007f${canary}`, 'a control character (DEL) at position 1'],
    [
      'bell',
      `${canary.slice(0, 20)}\u0007${canary.slice(20)}`,
      'a control character (BEL) at position 21',
    ],
    [
      'C1 control',
      `${canary}\u0085`,
      `a control character (U+0085) at position ${canary.length + 1}`,
    ],
    [
      'no-break space',
      `${canary.slice(0, 7)}\u00a0${canary.slice(7)}`,
      'a no-break space (U+00A0) at position 8',
    ],
    [
      'zero-width space',
      `${canary}\u200b`,
      `an invisible character (U+200B) at position ${canary.length + 1}`,
    ],
    ['byte-order mark', `\ufeff${canary}`, 'an invisible character (U+FEFF) at position 1'],
    [
      'non-ASCII letter',
      `${canary.slice(0, 9)}é${canary.slice(9)}`,
      'a non-ASCII character at position 10',
    ],
    ['tab inside', `${canary.slice(0, 9)}\t${canary.slice(9)}`, 'a tab at position 10'],
    ['space inside', `${canary.slice(0, 9)} ${canary.slice(9)}`, 'a space at position 10'],
    [
      'line break inside',
      `${canary.slice(0, 9)}\n${canary.slice(9)}`,
      'a line break at position 10',
    ],
    [
      'NUL after trimmed space',
      `  ${canary}\u0000`,
      `a control character (NUL) at position ${canary.length + 3}`,
    ],
  ])('refuses %s with its position and kind, never the value', (_kind, raw, expected) => {
    const result = checkKeyValue('ANTHROPIC_API_KEY', raw);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message).toContain(`The key contains ${expected}.`);
    expect(result.message).toContain("Paste the key again from your provider's console.");
    notQuoted(result.message);
  });

  it.each([
    ['a trailing newline', `${canary}\n`, 'Removed a trailing newline from the pasted key.'],
    ['a trailing CRLF', `${canary}\r\n`, 'Removed a trailing newline from the pasted key.'],
    ['trailing newlines', `${canary}\n\n`, 'Removed trailing newlines from the pasted key.'],
    ['a trailing tab', `${canary}\t`, 'Removed a trailing tab from the pasted key.'],
    ['leading spaces', `   ${canary}`, 'Removed leading spaces from the pasted key.'],
    [
      'both ends',
      ` \t${canary} \r\n`,
      'Removed leading spaces and line breaks and trailing spaces and line breaks from the pasted key.',
    ],
  ])('trims %s and says so', (_kind, raw, notice) => {
    expect(checkKeyValue('ANTHROPIC_API_KEY', raw)).toEqual({ ok: true, value: canary, notice });
    notQuoted(notice);
  });

  it('keeps a clean value as it is, with no notice', () => {
    expect(checkKeyValue('ANTHROPIC_API_KEY', canary)).toEqual({
      ok: true,
      value: canary,
      notice: null,
    });
  });

  it('checks the format after trimming: whitespace alone is empty, a short key is short', () => {
    expect(checkKeyValue('ANTHROPIC_API_KEY', ' \r\n')).toEqual({
      ok: false,
      message: 'An Anthropic key cannot be empty.',
    });
    const short = checkKeyValue('ANTHROPIC_API_KEY', 'sk-ant-short\n');
    expect(short.ok).toBe(false);
    if (!short.ok) expect(short.message).toContain('this one has 12');
  });

  it('cleanKeyValue applies the character rules only (for keys from the environment)', () => {
    expect(cleanKeyValue('not-a-provider-key\n')).toMatchObject({
      ok: true,
      value: 'not-a-provider-key',
    });
    expect(cleanKeyValue('bad\u0000key')).toMatchObject({ ok: false });
  });

  it('names only the managed keys as deletable', () => {
    expect(managedKeyProblem('ANTHROPIC_API_KEY')).toBeNull();
    expect(managedKeyProblem('PATH')).toBe(
      'PATH is not a key Stigmer Local manages. The keys it manages are ANTHROPIC_API_KEY, OPENAI_API_KEY, CURSOR_API_KEY.',
    );
  });
});
