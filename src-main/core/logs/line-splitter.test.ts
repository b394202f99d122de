import { describe, expect, it } from 'vitest';
import { cutMarker, LINE_END_BYTES, LineSplitter, type LineEnd } from './line-splitter';

function split(chunks: (string | Buffer)[], maxLineBytes?: number): [string, LineEnd][] {
  const out: [string, LineEnd][] = [];
  const s = new LineSplitter((text, end) => out.push([text, end]), { maxLineBytes });
  for (const c of chunks) s.push(typeof c === 'string' ? Buffer.from(c) : c);
  s.flush();
  return out;
}

describe('LineSplitter', () => {
  it('joins a line written in several partial chunks', () => {
    expect(split(['Worker re', 'ady, poll', 'ing for tasks...\nnext'])).toEqual([
      ['Worker ready, polling for tasks...', 'lf'],
      ['next', 'eof'],
    ]);
  });

  it('emits several lines from one chunk, including empty ones', () => {
    expect(split(['a\n\nb\n\n'])).toEqual([
      ['a', 'lf'],
      ['', 'lf'],
      ['b', 'lf'],
      ['', 'lf'],
    ]);
  });

  it('treats CRLF as one break, also when CR and LF arrive in different chunks', () => {
    expect(split(['one\r\ntwo\r', '\nthree\r\n'])).toEqual([
      ['one', 'crlf'],
      ['two', 'crlf'],
      ['three', 'crlf'],
    ]);
  });

  it('treats a lone CR as a break, at a chunk boundary too', () => {
    expect(split(['10%\r20%\r', '30%\n', '\r', 'x'])).toEqual([
      ['10%', 'cr'],
      ['20%', 'cr'],
      ['30%', 'lf'],
      ['', 'cr'],
      ['x', 'eof'],
    ]);
  });

  it('holds a trailing CR until the next chunk or flush decides', () => {
    const out: string[] = [];
    const s = new LineSplitter((t, e) => out.push(`${t}|${e}`));
    s.push(Buffer.from('done\r'));
    expect(out).toEqual([]);
    s.flush();
    expect(out).toEqual(['done|cr']);
  });

  it('reassembles UTF-8 characters split across chunks', () => {
    const bytes = Buffer.from('héllo 🌍 wörld\n');
    const chunks = [...bytes].map((b) => Buffer.from([b])); // one byte per chunk
    expect(split(chunks)).toEqual([['héllo 🌍 wörld', 'lf']]);
  });

  it('flushes the final partial line and nothing when there is none', () => {
    expect(split(['last words'])).toEqual([['last words', 'eof']]);
    expect(split(['all done\n'])).toEqual([['all done', 'lf']]);
    expect(split([])).toEqual([]);
  });

  it('cuts a long line at the limit and continues the rest as further pieces', () => {
    const long = 'x'.repeat(25);
    expect(split([`${long}\nok\n`], 10)).toEqual([
      ['x'.repeat(10), 'cut'],
      ['x'.repeat(10), 'cut'],
      ['x'.repeat(5), 'lf'],
      ['ok', 'lf'],
    ]);
  });

  it('cuts a long line that arrives over many chunks without holding it all', () => {
    const out: [string, LineEnd][] = [];
    const s = new LineSplitter((t, e) => out.push([t, e]), { maxLineBytes: 16 });
    for (let i = 0; i < 10; i++) s.push(Buffer.from('abcdefgh'));
    expect(s.pendingBytes).toBeLessThanOrEqual(16);
    s.push(Buffer.from('\n'));
    expect(out.map(([t]) => t).join('')).toBe('abcdefgh'.repeat(10));
    expect(out.every(([t]) => Buffer.byteLength(t) <= 16)).toBe(true);
    expect(out.at(-1)?.[1]).toBe('lf');
    expect(out.slice(0, -1).every(([, e]) => e === 'cut')).toBe(true);
  });

  it('never cuts inside a UTF-8 character', () => {
    const out = split(['ééééé\n'], 5); // 10 bytes, 2 per character
    expect(out).toEqual([
      ['éé', 'cut'],
      ['éé', 'cut'],
      ['é', 'lf'],
    ]);
  });

  it('uses the default 16 KiB limit and a visible marker text', () => {
    const out = split(['y'.repeat(16 * 1024 + 1) + '\n']);
    expect(out.map(([t, e]) => [t.length, e])).toEqual([
      [16384, 'cut'],
      [1, 'lf'],
    ]);
    expect(cutMarker(16384)).toBe('… [line cut at 16384 bytes]');
  });

  it('rebuilds the exact input from text + line ends', () => {
    const input = 'a\r\nb\rc\n\n' + 'z'.repeat(30) + '\r\n' + 'é'.repeat(9) + 'tail';
    const buf = Buffer.from(input);
    for (const size of [1, 2, 3, 7, 64]) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < buf.length; i += size) chunks.push(buf.subarray(i, i + size));
      const rebuilt = split(chunks, 8)
        .map(([t, e]) => t + LINE_END_BYTES[e])
        .join('');
      expect(rebuilt).toBe(input);
    }
  });

  it('splits a block of lines after a leftover line, with byte ranges that match the bytes', () => {
    type Seen = { text: string; end: LineEnd; inBlock: boolean; bytes: string | null };
    const seen: Seen[] = [];
    const screened: string[] = [];
    let blockBytes: Buffer = Buffer.alloc(0);
    const s = new LineSplitter(
      (text, end, inBlock, start, stop) =>
        seen.push({
          text,
          end,
          inBlock,
          bytes: inBlock ? blockBytes.toString('utf8', start, stop) : null,
        }),
      {
        maxLineBytes: 64,
        screen: (block, bytes) => {
          screened.push(block);
          blockBytes = bytes;
        },
      },
    );
    const lines = Array.from({ length: 40 }, (_, i) => `line ${i} café → ${'x'.repeat(i)}`);
    lines[20] = 'L'.repeat(100); // over the limit inside the block: cut, not in the block
    s.push(Buffer.from('leftover sta'));
    s.push(Buffer.from(`rt\n${lines.join('\n')}\npartial`));
    s.flush();

    expect(seen[0]).toEqual({ text: 'leftover start', end: 'lf', inBlock: false, bytes: null });
    expect(screened).toEqual([lines.join('\n')]);
    const body = seen.slice(1, -1);
    expect(body.map((l) => l.text)).toEqual([
      ...lines.slice(0, 20),
      'L'.repeat(64),
      'L'.repeat(36),
      ...lines.slice(21),
    ]);
    for (const l of body) {
      if (l.text.startsWith('L')) expect(l.inBlock).toBe(false);
      else expect(l).toMatchObject({ end: 'lf', inBlock: true, bytes: l.text });
    }
    expect(seen.at(-1)).toEqual({ text: 'partial', end: 'eof', inBlock: false, bytes: null });
  });

  it('leaves chunks with a CR or invalid UTF-8 to the byte-wise path, with the same lines', () => {
    const many = Array.from({ length: 30 }, (_, i) => `row ${i} ${'y'.repeat(i)}`).join('\n');
    const withCr = Buffer.from(`${many}\r\n${many}\n`);
    const invalid = Buffer.concat([
      Buffer.from(`${many}\nbad `),
      Buffer.from([0xff]),
      Buffer.from(`\n${many}\n`),
    ]);
    for (const chunk of [withCr, invalid]) {
      const out: boolean[] = [];
      const texts: string[] = [];
      const s = new LineSplitter(
        (text, _end, inBlock) => {
          out.push(inBlock);
          texts.push(text);
        },
        { screen: () => {} },
      );
      s.push(chunk);
      s.flush();
      expect(out.every((b) => !b)).toBe(true);
      expect(texts.join('\n')).toBe(chunk.toString('utf8').replace('\r\n', '\n').slice(0, -1));
    }
  });
});
