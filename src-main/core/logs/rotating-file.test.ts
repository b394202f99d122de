import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LogLine } from '../../../src-shared/model/log';
import { formatRecord, parseRecord, PREFIX_LENGTH, rebuildOutput } from './file-format';
import { readTail } from './read-tail';
import { logFileName, RotatingFileSink } from './rotating-file';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'stigmer-logs-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const T0 = Date.parse('2026-11-23T23:19:23.293Z');

function line(n: number, over: Partial<LogLine> = {}): LogLine {
  return {
    seq: n,
    service: 'agent-runner',
    stream: n % 3 === 0 ? 'stderr' : 'stdout',
    time: T0 + n,
    level: n % 2 === 0 ? 'info' : null,
    text: `line ${String(n).padStart(6, '0')} ${'·'.repeat(n % 40)}`,
    truncated: false,
    ...over,
  };
}

async function records(file: string) {
  const body = await readFile(file, 'utf8');
  expect(body.endsWith('\n')).toBe(true); // whole records only
  return body
    .slice(0, -1)
    .split('\n')
    .map((l) => {
      const r = parseRecord(l);
      expect(r).not.toBeNull();
      return r!;
    });
}

describe('file record format', () => {
  it('has a fixed 40-character prefix and round-trips', () => {
    const rec = formatRecord(T0, 'stderr', 'warn', 'crlf', ' raw\ttext [x] ');
    expect(rec).toBe('2026-11-23T23:19:23.293Z stderr warn  r  raw\ttext [x] \n');
    expect(rec.indexOf(' raw')).toBe(PREFIX_LENGTH);
    expect(parseRecord(rec.slice(0, -1))).toEqual({
      time: T0,
      stream: 'stderr',
      level: 'warn',
      end: 'crlf',
      text: ' raw\ttext [x] ',
    });
    expect(formatRecord(T0, 'stdout', null, 'eof', '')).toBe(
      '2026-11-23T23:19:23.293Z stdout -     $ \n',
    );
    expect(parseRecord('garbage')).toBeNull();
  });
});

describe('RotatingFileSink', () => {
  it('rotates by size keeping N files with no line lost, split or duplicated', async () => {
    const maxBytes = 4096;
    const keep = 3;
    const sink = new RotatingFileSink(dir, 'agent-runner', { maxBytes, keep });
    const total = 1500;
    let n = 0;
    // Mix bursts written in one tick with lines spread over ticks and in-flight writes.
    while (n < total) {
      const burst = (n % 7) * 13 + 1;
      for (let i = 0; i < burst && n < total; i++) sink.append(line(++n));
      if (n % 3 === 0) await sink.flush();
      else await new Promise((r) => setImmediate(r));
    }
    await sink.close();

    const files = (await readdir(dir)).sort();
    expect(files).toEqual(['agent-runner.log', 'agent-runner.log.1', 'agent-runner.log.2']);
    const kept = [];
    for (const f of ['agent-runner.log.2', 'agent-runner.log.1', 'agent-runner.log']) {
      expect((await stat(path.join(dir, f))).size).toBeLessThanOrEqual(maxBytes);
      kept.push(...(await records(path.join(dir, f))));
    }
    const numbers = kept.map((r) => Number(/^line (\d+)/.exec(r.text)![1]));
    // A contiguous run ending at the last line: each number once, in order.
    const first = numbers[0]!;
    expect(first).toBeGreaterThan(1); // oldest files were deleted
    expect(numbers).toEqual(Array.from({ length: total - first + 1 }, (_, i) => first + i));
    for (const r of kept) {
      const n = Number(/^line (\d+)/.exec(r.text)![1]);
      expect(r).toEqual({
        time: T0 + n,
        stream: line(n).stream,
        level: line(n).level,
        end: 'lf',
        text: line(n).text,
      });
    }
  });

  it('writes the same files from block bytes as from text, across parts, restaging and rotation', async () => {
    // Lines of 0 to ~300 bytes (short runs use up the gap left for prefixes and force restaging),
    // multi-byte characters, blocks bigger than one 256 KiB part, text records in between.
    const opts = { maxBytes: 300_000, keep: 50 };
    const fromBytes = new RotatingFileSink(path.join(dir, 'bytes'), 'svc', opts);
    const fromText = new RotatingFileSink(path.join(dir, 'text'), 'svc', opts);
    let n = 0;
    for (let block = 0; block < 40; block++) {
      const count = block % 5 === 0 ? 3000 : 40 + block * 7;
      const lines: string[] = [];
      for (let i = 0; i < count; i++, n++) {
        // Every 4th block is all 0-2 byte lines: 41 bytes out per 1-3 in.
        const short = block % 4 === 3 || n % 97 < 20;
        lines.push(
          short ? 'x'.repeat(n % 3) : `#${n} ${'é→'.repeat(n % 50)} ${'w'.repeat(n % 130)}`,
        );
      }
      const src = Buffer.from(lines.join('\n'));
      const time = T0 + block;
      let off = 0;
      for (const [i, text] of lines.entries()) {
        const len = Buffer.byteLength(text);
        const l = line(n, { time, text, stream: 'stdout', level: i % 4 === 0 ? 'warn' : null });
        if (i % 500 === 499) {
          // A redacted line goes in as text in the middle of a block.
          const redacted = { ...l, text: '[redacted:K]' };
          fromBytes.append(redacted);
          fromText.append(redacted);
        } else {
          fromBytes.appendBytes(time, 'stdout', l.level, src, off, off + len);
          fromText.append(l);
        }
        off += len + 1;
      }
      // Let writes finish between blocks, or leave them in flight while more blocks come.
      if (block % 3 === 0) await Promise.all([fromBytes.flush(), fromText.flush()]);
      else if (block % 3 === 1) await new Promise((r) => setImmediate(r));
    }
    await Promise.all([fromBytes.close(), fromText.close()]);
    const names = (await readdir(path.join(dir, 'text'))).sort();
    expect(names.length).toBeGreaterThan(5); // rotated many times
    expect((await readdir(path.join(dir, 'bytes'))).sort()).toEqual(names);
    for (const f of names) {
      const a = await readFile(path.join(dir, 'bytes', f));
      const b = await readFile(path.join(dir, 'text', f));
      expect(a.equals(b), f).toBe(true);
    }
  });

  it('gives a record larger than maxBytes a file of its own', async () => {
    const sink = new RotatingFileSink(dir, 'svc', { maxBytes: 100, keep: 3 });
    sink.append(line(1, { text: 'small' }));
    sink.append(line(2, { text: 'L'.repeat(300) }));
    sink.append(line(3, { text: 'after' }));
    await sink.close();
    const texts = async (f: string) => (await records(path.join(dir, f))).map((r) => r.text);
    expect(await texts('svc.log.2')).toEqual(['small']);
    expect(await texts('svc.log.1')).toEqual(['L'.repeat(300)]);
    expect(await texts('svc.log')).toEqual(['after']);
  });

  it('appends to an existing file after a restart and counts its size', async () => {
    const first = new RotatingFileSink(dir, 'svc', { maxBytes: 200, keep: 2 });
    first.append(line(1));
    await first.close();
    const second = new RotatingFileSink(dir, 'svc', { maxBytes: 200, keep: 2 });
    for (let i = 2; i <= 6; i++) second.append(line(i));
    await second.close();
    const all = [
      ...(await records(path.join(dir, 'svc.log.1'))),
      ...(await records(path.join(dir, 'svc.log'))),
    ].map((r) => r.text);
    expect(all.at(-1)).toBe(line(6).text);
    expect(new Set(all).size).toBe(all.length);
    expect((await stat(path.join(dir, 'svc.log.1'))).size).toBeLessThanOrEqual(200);
  });

  it('writes the raw piece of a cut line and readTail restores the marker', async () => {
    const sink = new RotatingFileSink(dir, 'svc');
    const l = line(1, { text: 'abc… [line cut at 3 bytes]', truncated: true });
    sink.append(l, 'cut', 'abc');
    sink.append(line(2, { text: 'def', stream: 'stdout' }), 'lf');
    await sink.close();
    const recs = await records(path.join(dir, 'svc.log'));
    expect(rebuildOutput(recs)).toBe('abcdef\n');
    const tail = await readTail(dir, 'svc', 10, { maxLineBytes: 3 });
    expect(tail.map((t) => [t.text, t.truncated])).toEqual([
      ['abc… [line cut at 3 bytes]', true],
      ['def', false],
    ]);
  });

  it('refuses service names that would escape the log directory', () => {
    expect(() => logFileName('../etc')).toThrow(/cannot be used/);
    expect(() => logFileName('a/b')).toThrow(/cannot be used/);
    expect(logFileName('stigmer-server')).toBe('stigmer-server.log');
  });
});

describe('readTail', () => {
  it('reads the last lines across rotated files, newest last, with seq <= 0', async () => {
    const sink = new RotatingFileSink(dir, 'agent-runner', { maxBytes: 2048, keep: 4 });
    for (let n = 1; n <= 400; n++) sink.append(line(n));
    await sink.close();
    expect((await readdir(dir)).length).toBe(4);

    const tail = await readTail(dir, 'agent-runner', 50);
    expect(tail.map((l) => l.text)).toEqual(
      Array.from({ length: 50 }, (_, i) => line(351 + i).text),
    );
    expect(tail.map((l) => l.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i - 49));
    expect(tail[0]).toMatchObject({ service: 'agent-runner', time: T0 + 351, level: null });

    // Asking for more than is kept returns everything kept, still in order.
    const all = await readTail(dir, 'agent-runner', 100_000);
    const nums = all.map((l) => Number(/^line (\d+)/.exec(l.text)![1]));
    expect(nums.at(-1)).toBe(400);
    expect(nums).toEqual(Array.from({ length: nums.length }, (_, i) => nums[0]! + i));
  });

  it('reads backwards in blocks through a large file and skips a torn last line', async () => {
    const body = Array.from({ length: 5000 }, (_, i) =>
      formatRecord(T0, 'stdout', 'info', 'lf', `n=${i} ${'x'.repeat(60)}`),
    ).join('');
    await writeFile(
      path.join(dir, 'big.log'),
      body + '2026-11-23T23:19:23.293Z stdout info  n torn',
    );
    const tail = await readTail(dir, 'big', 3);
    expect(tail.map((l) => l.text.slice(0, 6))).toEqual(['n=4997', 'n=4998', 'n=4999']);
  });

  it('returns nothing for a service without files', async () => {
    expect(await readTail(dir, 'nothing', 10)).toEqual([]);
    expect(await readTail(path.join(dir, 'missing'), 'nothing', 10)).toEqual([]);
  });
});
