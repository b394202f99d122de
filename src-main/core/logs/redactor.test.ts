import { describe, expect, it } from 'vitest';
import { HitReporter } from './hit-reporter';
import { Redactor } from './redactor';

const CURRENT = 'sk-ant-api03-CURRENTcurrentCURRENT0123456789';
const PREVIOUS = 'sk-ant-api03-PREVIOUSpreviousPREVIOUS987654';

describe('Redactor', () => {
  it('redacts the current and the previous value of a key under its name', () => {
    const r = new Redactor([
      { name: 'ANTHROPIC_API_KEY', value: CURRENT },
      { name: 'ANTHROPIC_API_KEY', value: PREVIOUS },
    ]);
    const out = r.redact(`new=${CURRENT} old=${PREVIOUS} again=${CURRENT}`);
    expect(out.text).toBe(
      'new=[redacted:ANTHROPIC_API_KEY] old=[redacted:ANTHROPIC_API_KEY] again=[redacted:ANTHROPIC_API_KEY]',
    );
    expect(out.hits).toEqual(['ANTHROPIC_API_KEY']);
  });

  it('redacts well-known key shapes with pattern names', () => {
    const r = new Redactor();
    const line = [
      'a=sk-ant-api03-abcdefghijklmnop',
      'o=sk-proj-abcdefghijklmnopqrstuvwx',
      'p=sk-abcdefghijklmnopqrstuvwx',
      'aws=AKIAABCDEFGHIJKLMNOP',
      'gh=ghp_' + 'a'.repeat(36),
      'fg=github_pat_11ABCDEFG0123456789_abcdefghijklmnop',
      'slack=xoxb-1234567890-abcdef',
    ].join(' ');
    const out = r.redact(line);
    expect(out.text).toBe(
      'a=[redacted:anthropic-key] o=[redacted:openai-key] p=[redacted:openai-key] ' +
        'aws=[redacted:aws-access-key] gh=[redacted:github-token] fg=[redacted:github-token] ' +
        'slack=[redacted:slack-token]',
    );
    expect([...out.hits].sort()).toEqual([
      'anthropic-key',
      'aws-access-key',
      'github-token',
      'openai-key',
      'slack-token',
    ]);
  });

  it('leaves look-alikes inside longer words alone', () => {
    const r = new Redactor();
    const line =
      'task-queue-stigmer-runner-0123456789 desk-abcdefghijklmnopqrstuvwxyz AKIAABCDEFGHIJKLMNOPQ';
    expect(r.redact(line)).toEqual({ text: line, hits: [] });
  });

  it('returns the same string without work when nothing can match', () => {
    const r = new Redactor([{ name: 'K', value: 'secret-value-1' }]);
    const line = '2026-11-23T23:19:23.293Z [INFO] Worker state changed';
    const out = r.redact(line);
    expect(out.text).toBe(line);
    expect(out.hits).toHaveLength(0);
  });

  it('replaces the longest value first so a value containing another goes whole', () => {
    const r = new Redactor([
      { name: 'SHORT', value: 'abcdefgh' },
      { name: 'LONG', value: 'abcdefgh-and-more' },
    ]);
    expect(r.redact('x abcdefgh-and-more y abcdefgh').text).toBe(
      'x [redacted:LONG] y [redacted:SHORT]',
    );
  });

  it('prefers a known name over a pattern name, and follows setSecrets updates', () => {
    const r = new Redactor([{ name: 'OPENAI_API_KEY', value: 'sk-proj-knownknownknownknown01' }]);
    expect(r.redact('k=sk-proj-knownknownknownknown01').text).toBe('k=[redacted:OPENAI_API_KEY]');
    r.setSecrets([{ name: 'CURSOR_API_KEY', value: 'cursor-secret-123' }]);
    expect(r.redact('cursor-secret-123').text).toBe('[redacted:CURSOR_API_KEY]');
    expect(r.redact('k=sk-proj-knownknownknownknown01').text).toBe('k=[redacted:openai-key]');
  });

  it('screens a block by its bytes: maybe whenever some line would change, no for clean text', () => {
    const r = new Redactor([
      { name: 'ANTHROPIC_API_KEY', value: CURRENT },
      { name: 'CURSOR_API_KEY', value: 'clé-secrète-→-42' },
    ]);
    // Tails of the searched needles without their heads: "ok-", "php_", "my_pat_", "XAKI".
    const clean = [
      '[INFO] café → naïve ok-go php_x my_pat_y XAKI',
      '{"level":"info","msg":"queue ready"}',
      'plain words',
    ];
    const dirty = [
      `[INFO] key ${CURRENT}`,
      'cursor clé-secrète-→-42 done',
      'aws AKIAABCDEFGHIJKLMNOP',
      'gh ghp_' + 'a'.repeat(36),
      'fg github_pat_11ABCDEFG0123456789_abcdefghijklmnop',
      'slack xoxb-1234567890-abcdef',
    ];
    expect(r.mayRedactBytes(Buffer.from(clean.join('\n')))).toBe(false);
    for (const line of clean) expect(r.redact(line).text).toBe(line);
    for (const line of dirty) {
      expect(r.redact(line).text).not.toBe(line);
      expect(r.mayRedactBytes(Buffer.from([...clean, line, ...clean].join('\n')))).toBe(true);
    }
    // A needle at the very start or end of the block.
    expect(r.mayRedactBytes(Buffer.from('sk-proj-abcdefghijklmnopqrstuvwx'))).toBe(true);
    expect(r.mayRedactBytes(Buffer.from('ghp_'))).toBe(true);
    expect(r.mayRedactBytes(Buffer.from('ok github_pat_'))).toBe(true);
    // After setSecrets the old value no longer counts, the new one does.
    r.setSecrets([{ name: 'OPENAI_API_KEY', value: 'open-sesame-value' }]);
    expect(r.mayRedactBytes(Buffer.from('cursor clé-secrète-→-42'))).toBe(false);
    expect(r.mayRedactBytes(Buffer.from('x open-sesame-value y'))).toBe(true);
  });

  it('ignores values too short to be keys', () => {
    const r = new Redactor([{ name: 'X', value: 'abc' }]);
    expect(r.secretCount).toBe(0);
    expect(r.redact('abc').text).toBe('abc');
  });
});

describe('HitReporter', () => {
  it('reports once per service and name per window, then the suppressed count', () => {
    let t = 0;
    const h = new HitReporter({ windowMs: 60_000, now: () => t });
    expect(h.note('agent-runner', ['ANTHROPIC_API_KEY'])).toEqual({
      service: 'agent-runner',
      names: ['ANTHROPIC_API_KEY'],
      suppressed: { ANTHROPIC_API_KEY: 0 },
    });
    t = 1_000;
    expect(h.note('agent-runner', ['ANTHROPIC_API_KEY'])).toBeNull();
    expect(h.note('agent-runner', ['ANTHROPIC_API_KEY'])).toBeNull();
    // Another service or another name has its own window.
    expect(h.note('stigmer-server', ['ANTHROPIC_API_KEY'])?.names).toEqual(['ANTHROPIC_API_KEY']);
    expect(h.note('agent-runner', ['ANTHROPIC_API_KEY', 'openai-key'])?.names).toEqual([
      'openai-key',
    ]);
    t = 60_000;
    expect(h.note('agent-runner', ['ANTHROPIC_API_KEY'])).toEqual({
      service: 'agent-runner',
      names: ['ANTHROPIC_API_KEY'],
      suppressed: { ANTHROPIC_API_KEY: 3 },
    });
  });

  it('drains suppressed counts so none are lost at shutdown', () => {
    let t = 0;
    const h = new HitReporter({ now: () => t });
    h.note('svc', ['K']);
    t = 10;
    h.note('svc', ['K']);
    h.note('svc', ['K']);
    expect(h.drain()).toEqual([{ service: 'svc', names: ['K'], suppressed: { K: 2 } }]);
    expect(h.drain()).toEqual([]);
  });
});
