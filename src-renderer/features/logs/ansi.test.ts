import { describe, expect, it } from 'vitest';
import { parseAnsi, plainText, stripAnsi } from './ansi';

const ESC = '\x1b';

describe('parseAnsi', () => {
  it('returns one unstyled segment for plain text and nothing for empty text', () => {
    expect(parseAnsi('hello world')).toEqual([{ text: 'hello world', cls: '' }]);
    expect(parseAnsi('')).toEqual([]);
  });

  it('maps basic, bright and background colours to classes', () => {
    expect(parseAnsi(`${ESC}[31mred${ESC}[0m plain`)).toEqual([
      { text: 'red', cls: 'ansi-fg-1' },
      { text: ' plain', cls: '' },
    ]);
    expect(parseAnsi(`${ESC}[92mbright`)).toEqual([{ text: 'bright', cls: 'ansi-fg-10' }]);
    expect(parseAnsi(`${ESC}[44mbg`)).toEqual([{ text: 'bg', cls: 'ansi-bg-4' }]);
    expect(parseAnsi(`${ESC}[107mbg`)).toEqual([{ text: 'bg', cls: 'ansi-bg-15' }]);
  });

  it('combines several codes in one sequence, in a fixed class order', () => {
    expect(parseAnsi(`${ESC}[4;3;2;1;41;33mx`)).toEqual([
      { text: 'x', cls: 'ansi-fg-3 ansi-bg-1 ansi-bold ansi-dim ansi-italic ansi-underline' },
    ]);
  });

  it('keeps styles across sequences until they are turned off', () => {
    expect(parseAnsi(`${ESC}[1mA${ESC}[32mB${ESC}[22mC${ESC}[39mD`)).toEqual([
      { text: 'A', cls: 'ansi-bold' },
      { text: 'B', cls: 'ansi-fg-2 ansi-bold' },
      { text: 'C', cls: 'ansi-fg-2' },
      { text: 'D', cls: '' },
    ]);
    expect(parseAnsi(`${ESC}[3;4;45mA${ESC}[23mB${ESC}[24mC${ESC}[49mD`)).toEqual([
      { text: 'A', cls: 'ansi-bg-5 ansi-italic ansi-underline' },
      { text: 'B', cls: 'ansi-bg-5 ansi-underline' },
      { text: 'C', cls: 'ansi-bg-5' },
      { text: 'D', cls: '' },
    ]);
  });

  it('treats an empty SGR (ESC[m) and code 0 as a full reset', () => {
    expect(parseAnsi(`${ESC}[1;31mA${ESC}[mB`)).toEqual([
      { text: 'A', cls: 'ansi-fg-1 ansi-bold' },
      { text: 'B', cls: '' },
    ]);
    expect(parseAnsi(`${ESC}[1;31mA${ESC}[0;4mB`)).toEqual([
      { text: 'A', cls: 'ansi-fg-1 ansi-bold' },
      { text: 'B', cls: 'ansi-underline' },
    ]);
  });

  it('merges adjacent runs with the same style', () => {
    expect(parseAnsi(`${ESC}[31mab${ESC}[31mcd${ESC}[1m${ESC}[22mef`)).toEqual([
      { text: 'abcdef', cls: 'ansi-fg-1' },
    ]);
  });

  it('keeps 256-colour values below 16 and ignores higher ones and true colour', () => {
    expect(parseAnsi(`${ESC}[38;5;9mA`)).toEqual([{ text: 'A', cls: 'ansi-fg-9' }]);
    expect(parseAnsi(`${ESC}[48;5;3mA`)).toEqual([{ text: 'A', cls: 'ansi-bg-3' }]);
    expect(parseAnsi(`${ESC}[38;5;200mA`)).toEqual([{ text: 'A', cls: '' }]);
    // The sub-parameters of 38;5;n / 38;2;r;g;b are consumed, not read as codes (1 = bold, 4 = underline).
    expect(parseAnsi(`${ESC}[38;5;1;4mA`)).toEqual([
      { text: 'A', cls: 'ansi-fg-1 ansi-underline' },
    ]);
    expect(parseAnsi(`${ESC}[38;2;1;3;4;1mA`)).toEqual([{ text: 'A', cls: 'ansi-bold' }]);
    expect(parseAnsi(`${ESC}[38:5:2mA`)).toEqual([{ text: 'A', cls: 'ansi-fg-2' }]);
  });

  it('strips non-SGR CSI, OSC and two-byte escapes without changing the style', () => {
    expect(parseAnsi(`${ESC}[31mA${ESC}[2K${ESC}[1;1HB`)).toEqual([
      { text: 'AB', cls: 'ansi-fg-1' },
    ]);
    expect(parseAnsi(`${ESC}]0;title${ESC}\\X${ESC}]8;;http://x\x07link${ESC}]8;;\x07`)).toEqual([
      { text: 'Xlink', cls: '' },
    ]);
    expect(parseAnsi(`a${ESC}Mb${ESC}Dc`)).toEqual([{ text: 'abc', cls: '' }]);
    // An intermediate byte makes it not SGR even with a final "m".
    expect(parseAnsi(`${ESC}[1 mA`)).toEqual([{ text: 'A', cls: '' }]);
  });

  it('drops stray control characters but keeps tabs', () => {
    expect(parseAnsi('a\tb\rc\x00d\x7fe\x08')).toEqual([{ text: 'a\tbcde', cls: '' }]);
  });

  it('never leaks ESC for malformed or truncated sequences', () => {
    for (const text of [
      `${ESC}[31`,
      `x${ESC}`,
      `${ESC}]unterminated osc`,
      `${ESC}[`,
      `a${ESC}[31;`,
    ]) {
      const segs = parseAnsi(text);
      const joined = segs.map((s) => s.text).join('');
      expect(joined).not.toContain(ESC);
      expect(joined).toBe(stripAnsi(text));
      for (const s of segs) expect(s.cls).toBe('');
    }
    expect(stripAnsi(`${ESC}]unterminated osc`)).toBe('');
    expect(stripAnsi(`x${ESC}`)).toBe('x');
  });

  it('joins to stripAnsi of the same text', () => {
    const text = `${ESC}[1;31mERROR${ESC}[0m ${ESC}]0;t\x07failed ${ESC}[38;5;208mhere${ESC}[K\r`;
    expect(
      parseAnsi(text)
        .map((s) => s.text)
        .join(''),
    ).toBe(stripAnsi(text));
    expect(stripAnsi(text)).toBe('ERROR failed here');
  });
});

describe('stripAnsi / plainText', () => {
  it('returns plain text unchanged', () => {
    expect(stripAnsi('nothing to strip\there')).toBe('nothing to strip\there');
  });

  it('plainText strips and caches per line object', () => {
    const line = { text: `${ESC}[32mok${ESC}[0m` };
    expect(plainText(line)).toBe('ok');
    // The cache is keyed by object, so a later mutation is not seen (lines are immutable).
    line.text = 'changed';
    expect(plainText(line)).toBe('ok');
    expect(plainText({ text: 'changed' })).toBe('changed');
  });
});
