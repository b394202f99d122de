import { describe, expect, it } from 'vitest';
import { KEY_CATALOG, keySpec, validateKeyFormat } from './key-catalog';

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
    ['ANTHROPIC_API_KEY', `${anthropic} trailing`, 'space or line break at character 74'],
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
