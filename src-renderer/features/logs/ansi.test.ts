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

/** The visible text of a line; also checks that parseAnsi's runs join to stripAnsi and leak no controls. */
function visible(text: string): string {
  const joined = parseAnsi(text)
    .map((s) => s.text)
    .join('');
  expect(joined).toBe(stripAnsi(text));
  // eslint-disable-next-line no-control-regex
  expect(joined).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
  return joined;
}

describe('parseAnsi / stripAnsi: non-SGR escape sequences', () => {
  const BEL = '\x07';
  const ST = `${ESC}\\`;

  it('drops save/restore cursor, reset and keypad-mode escapes (ESC 7, ESC 8, ESC c, ESC =, ESC >)', () => {
    expect(visible(`${ESC}7a${ESC}8b`)).toBe('ab');
    expect(visible(`${ESC}cafter reset`)).toBe('after reset');
    expect(visible(`${ESC}=app${ESC}>num`)).toBe('appnum');
    expect(visible(`x${ESC}My${ESC}Dz${ESC}E!`)).toBe('xyz!');
  });

  it('drops charset selection and other escapes with intermediate bytes (ESC ( B, ESC ) 0, ESC # 8)', () => {
    expect(visible(`${ESC}(Bplain${ESC})0${ESC}(0line${ESC}(B`)).toBe('plainline');
    expect(visible(`${ESC}#8x${ESC} Fy${ESC}%Gz`)).toBe('xyz');
    // Cut off before its final byte at the end of the line.
    expect(visible(`text${ESC}(`)).toBe('text');
  });

  it('drops cursor-movement, erase and private-mode CSI sequences', () => {
    expect(visible(`${ESC}[2K${ESC}[1Aline${ESC}[0K`)).toBe('line');
    expect(visible(`${ESC}[?25lhidden${ESC}[?25h`)).toBe('hidden');
    expect(visible(`${ESC}[10;20Ha${ESC}[3Gb${ESC}[?1049h${ESC}[>0c${ESC}[!pc${ESC}[2 qd`)).toBe(
      'abcd',
    );
    // A truncated CSI at the end of the line is dropped whole.
    expect(visible(`done${ESC}[12;3`)).toBe('done');
  });

  it('does not treat private or intermediate CSI sequences ending in "m" as SGR', () => {
    expect(parseAnsi(`${ESC}[31mA${ESC}[>4;2mB${ESC}[?1mC${ESC}[1 mD`)).toEqual([
      { text: 'ABCD', cls: 'ansi-fg-1' },
    ]);
  });

  it('drops OSC sequences (window title, cwd) terminated by BEL or ST', () => {
    expect(visible(`${ESC}]0;my title${BEL}after`)).toBe('after');
    expect(visible(`${ESC}]2;other title${ST}after`)).toBe('after');
    expect(visible(`a${ESC}]7;file://host/dir\x9cb`)).toBe('ab');
  });

  it('runs an unterminated OSC to the end of the line, or to the next ESC', () => {
    expect(visible(`before${ESC}]0;never terminated`)).toBe('before');
    // A new ESC cancels the string (as in a terminal) and its own sequence still applies.
    expect(parseAnsi(`a${ESC}]0;title${ESC}[32mgreen`)).toEqual([
      { text: 'a', cls: '' },
      { text: 'green', cls: 'ansi-fg-2' },
    ]);
  });

  it('keeps the text of OSC 8 hyperlinks and drops only the escapes', () => {
    expect(visible(`see ${ESC}]8;;https://example.com${BEL}the docs${ESC}]8;;${BEL} now`)).toBe(
      'see the docs now',
    );
    expect(visible(`${ESC}]8;id=1;https://example.com/a?b=c${ST}link${ESC}]8;;${ST}`)).toBe('link');
    expect(parseAnsi(`${ESC}]8;;http://x${ST}${ESC}[4;34mlink${ESC}[0m${ESC}]8;;${ST}!`)).toEqual([
      { text: 'link', cls: 'ansi-fg-4 ansi-underline' },
      { text: '!', cls: '' },
    ]);
  });

  it('drops DCS, APC, PM and SOS strings', () => {
    expect(visible(`a${ESC}Pq#0;2;0;0;0#0~~${ST}b`)).toBe('ab');
    expect(visible(`a${ESC}_Gf=100;AAAA${ST}b`)).toBe('ab');
    expect(visible(`a${ESC}^private${ST}b${ESC}Xsos${ST}c`)).toBe('abc');
    expect(visible(`a${ESC}Pno end`)).toBe('a');
  });

  it('handles the C1 CSI introducer U+009B, including SGR', () => {
    expect(visible('a\x9b2Kb\x9b?25lc')).toBe('abc');
    expect(parseAnsi('\x9b1;31mA\x9b0mB')).toEqual([
      { text: 'A', cls: 'ansi-fg-1 ansi-bold' },
      { text: 'B', cls: '' },
    ]);
  });

  it('drops C1 control strings and stray C1 controls', () => {
    expect(visible('a\x9d0;title\x07b\x90dcs\x9cc\x9fapc\x9cd')).toBe('abcd');
    expect(visible('a\x85b\x9cc\x80d')).toBe('abcd');
  });

  it('drops a lone ESC at the end of a line or before a non-escape character', () => {
    expect(parseAnsi(`${ESC}[33mwarn${ESC}`)).toEqual([{ text: 'warn', cls: 'ansi-fg-3' }]);
    expect(visible(`a${ESC}`)).toBe('a');
    expect(visible(`${ESC}`)).toBe('');
    expect(visible(`a${ESC}\tb${ESC}é`)).toBe('a\tbé');
  });

  it('keeps colours on a line mixing SGR with other sequences', () => {
    const text =
      `${ESC}7${ESC}[?25l${ESC}(B${ESC}[2K${ESC}[1A${ESC}]0;build${BEL}` +
      `${ESC}[1;32m✓${ESC}[0m built ${ESC}=` +
      `${ESC}]8;;file:///app/out.js${ST}${ESC}[36mout.js${ESC}[39m${ESC}]8;;${ST}` +
      ` in \x9b33m12ms\x9bm${ESC}[K${ESC}8${ESC}[?25h${ESC}c${ESC}`;
    expect(parseAnsi(text)).toEqual([
      { text: '✓', cls: 'ansi-fg-2 ansi-bold' },
      { text: ' built ', cls: '' },
      { text: 'out.js', cls: 'ansi-fg-6' },
      { text: ' in ', cls: '' },
      { text: '12ms', cls: 'ansi-fg-3' },
    ]);
    expect(visible(text)).toBe('✓ built out.js in 12ms');
  });

  it('leaves non-ASCII text alone', () => {
    const text = 'naïve café — ✓ 日本語 🎉 \u00a0nbsp';
    expect(parseAnsi(text)).toEqual([{ text, cls: '' }]);
    expect(stripAnsi(text)).toBe(text);
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
