import { describe, expect, it } from 'vitest';
import { scanDotenv } from './dotenv';
import { withoutLines } from './file-edit';
import { scanStigmerConfig } from './stigmer-config';
import { stigmerConfig } from './test-helpers';

const ANT = `sk-ant-api03-${'a'.repeat(40)}`;
const OAI = `sk-proj-${'b'.repeat(40)}`;

describe('scanStigmerConfig', () => {
  it('finds backend.local.llm.api_key for the provider, with the one line to remove', () => {
    const found = scanStigmerConfig(stigmerConfig(ANT));
    expect(found.keys).toEqual([
      {
        name: 'ANTHROPIC_API_KEY',
        value: ANT,
        line: 12,
        removeLines: [12, 12],
        removeProblem: null,
      },
    ]);
    expect(scanStigmerConfig(stigmerConfig(OAI, 'openai')).keys[0]!.name).toBe('OPENAI_API_KEY');
  });

  it('names a key by its prefix when no provider is set, and leaves other providers alone', () => {
    const noProvider = 'backend:\n  local:\n    llm:\n      api_key: "' + ANT + '"\n';
    expect(scanStigmerConfig(noProvider).keys[0]).toMatchObject({
      name: 'ANTHROPIC_API_KEY',
      value: ANT,
    });
    const other = scanStigmerConfig(stigmerConfig('abc123', 'mistral'));
    expect(other.keys).toEqual([]);
    expect(other.notes[0]).toMatch(/provider "mistral", which Stigmer Local does not manage/);
  });

  it('imports from a flow mapping but leaves the line to the user', () => {
    const flow = `backend:\n  local:\n    llm: {provider: anthropic, api_key: ${ANT}}\n`;
    const key = scanStigmerConfig(flow).keys[0]!;
    expect(key.removeLines).toBeNull();
    expect(key.removeProblem).toMatch(/by hand/);
  });

  it('reports YAML it cannot read without echoing it', () => {
    const found = scanStigmerConfig(`backend:\n  local: [\n  api_key: ${ANT}\n`);
    expect(found.keys).toEqual([]);
    expect(found.notes[0]).toMatch(/not valid YAML/);
    expect(found.notes[0]).not.toContain(ANT);
  });
});

describe('scanDotenv', () => {
  it('reads bare, quoted, exported and commented assignments of the managed keys only', () => {
    const text = [
      '# keys',
      `ANTHROPIC_API_KEY=${ANT} # the work one`,
      `export OPENAI_API_KEY='${OAI}'`,
      'GITHUB_TOKEN=ghp_xxx',
      'CURSOR_API_KEY=',
    ].join('\n');
    expect(scanDotenv(text).keys.map((k) => [k.name, k.value, k.line, k.removeLines])).toEqual([
      ['ANTHROPIC_API_KEY', ANT, 2, [2, 2]],
      ['OPENAI_API_KEY', OAI, 3, [3, 3]],
    ]);
  });

  it('skips a quote that does not close on its line, and leaves split assignments to the user', () => {
    const found = scanDotenv(
      `ANTHROPIC_API_KEY="${ANT}\nmore"\nOPENAI_API_KEY=${OAI}\nX=1\nOPENAI_API_KEY=${OAI}\n`,
    );
    expect(found.notes[0]).toMatch(/quote that does not close/);
    expect(found.keys).toHaveLength(1);
    expect(found.keys[0]).toMatchObject({ name: 'OPENAI_API_KEY', line: 5, removeLines: null });
    expect(found.keys[0]!.removeProblem).toMatch(/lines 3, 5/);
  });
});

describe('withoutLines', () => {
  it('removes exactly the given lines and keeps every other byte (CRLF, no final newline)', () => {
    const bytes = Buffer.from('a\r\nb\r\nc\r\nd');
    expect(withoutLines(bytes, [[2, 2]]).toString()).toBe('a\r\nc\r\nd');
    expect(withoutLines(bytes, [[4, 4]]).toString()).toBe('a\r\nb\r\nc\r\n');
    expect(withoutLines(bytes, [[1, 3]]).toString()).toBe('d');
    const latin = Buffer.from([0xff, 0x0a, 0x41, 0x0a, 0xfe]);
    expect([...withoutLines(latin, [[2, 2]])]).toEqual([0xff, 0x0a, 0xfe]);
  });
});
