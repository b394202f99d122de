import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LogLine } from '../../../src-shared/model/log';
import { parseRecord, rebuildOutput } from './file-format';
import type { RedactionReport } from './hit-reporter';
import { LogPipeline, type BatchTimer } from './log-pipeline';
import { readTail } from './read-tail';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'stigmer-pipeline-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A timer the test fires by hand, so cadence is checked without wall time. */
function manualTimer() {
  const pending: (() => void)[] = [];
  const timer: BatchTimer = {
    set: (fn) => pending.push(fn),
    clear: (h) => {
      pending[(h as number) - 1] = () => {};
    },
  };
  return {
    timer,
    /** Run every armed timer; returns how many there were. */
    fire: () => {
      const fns = pending.splice(0);
      for (const f of fns) f();
      return fns.length;
    },
  };
}

async function fileRecords(service: string) {
  const body = await readFile(path.join(dir, `${service}.log`), 'utf8');
  return body
    .slice(0, -1)
    .split('\n')
    .map((l) => parseRecord(l)!);
}

const KEY = 'sk-ant-api03-LIVEkeyLIVEkeyLIVEkey0123456789';
const OLD = 'sk-ant-api03-OLDkeyOLDkeyOLDkeyOLDkey987654';

describe('LogPipeline', () => {
  it('redacts a key split across two chunks in ring, live batch and file, and reports it', async () => {
    const t = manualTimer();
    const p = new LogPipeline({ logDir: dir, timer: t.timer, now: () => 1_000 });
    p.setSecrets([
      { name: 'ANTHROPIC_API_KEY', value: KEY },
      { name: 'ANTHROPIC_API_KEY', value: OLD },
    ]);
    const batches: LogLine[][] = [];
    const reports: RedactionReport[] = [];
    p.onBatch((lines) => void batches.push(lines));
    p.onRedaction((r) => reports.push(r));

    p.write('agent-runner', 'stdout', Buffer.from(`using key ${KEY.slice(0, 20)}`));
    p.write('agent-runner', 'stdout', Buffer.from(`${KEY.slice(20)} now\nold ${OLD}\n`));
    p.write('agent-runner', 'stderr', Buffer.from('shape sk-proj-abcdefghijklmnopqrstuvwxyz\n'));
    t.fire();
    await p.close();

    const expected = [
      'using key [redacted:ANTHROPIC_API_KEY] now',
      'old [redacted:ANTHROPIC_API_KEY]',
      'shape [redacted:openai-key]',
    ];
    expect(p.tail('agent-runner').map((l) => l.text)).toEqual(expected);
    expect(batches.flat().map((l) => l.text)).toEqual(expected);
    const file = await readFile(path.join(dir, 'agent-runner.log'), 'utf8');
    expect(file).not.toContain('LIVEkey');
    expect(file).not.toContain('OLDkey');
    expect((await fileRecords('agent-runner')).map((r) => r.text)).toEqual(expected);
    // Rate-limited: the second ANTHROPIC_API_KEY hit in the window is only counted.
    expect(reports).toEqual([
      {
        service: 'agent-runner',
        names: ['ANTHROPIC_API_KEY'],
        suppressed: { ANTHROPIC_API_KEY: 0 },
      },
      { service: 'agent-runner', names: ['openai-key'], suppressed: { 'openai-key': 0 } },
      {
        service: 'agent-runner',
        names: ['ANTHROPIC_API_KEY'],
        suppressed: { ANTHROPIC_API_KEY: 1 },
      },
    ]);
  });

  it('stamps, levels and tags lines and keeps the ring bounded', async () => {
    let now = 5_000;
    const p = new LogPipeline({ logDir: dir, ringCapacity: 3, now: () => now });
    p.write('temporal', 'stdout', Buffer.from('{"level":"info","msg":"a"}\n'));
    now = 6_000;
    p.write('temporal', 'stderr', Buffer.from('\x1b[31mERROR\x1b[0m: boom\nplain\nlast'));
    expect(p.tail('temporal').map((l) => l.seq)).toEqual([1, 2, 3]);
    p.end('temporal');
    expect(p.tail('temporal')).toEqual([
      {
        seq: 2,
        service: 'temporal',
        stream: 'stderr',
        time: 6_000,
        level: 'error',
        text: '\x1b[31mERROR\x1b[0m: boom',
        truncated: false,
      },
      expect.objectContaining({ seq: 3, text: 'plain', level: null }),
      expect.objectContaining({ seq: 4, text: 'last', stream: 'stderr' }),
    ]);
    expect(p.tail('temporal', 1).map((l) => l.text)).toEqual(['last']);
    expect(p.serviceNames()).toEqual(['temporal']);
    await p.close();
    const recs = await fileRecords('temporal');
    expect(recs.map((r) => r.end)).toEqual(['lf', 'lf', 'lf', 'eof']);
  });

  it('cuts long lines with the marker, carries the level, and the file rebuilds the output', async () => {
    const p = new LogPipeline({ logDir: dir, maxLineBytes: 32 });
    const output = `[WARN] ${'w'.repeat(70)}\r\nshort\n`;
    p.write('svc', 'stdout', Buffer.from(output));
    await p.close();
    const lines = p.tail('svc');
    expect(lines.map((l) => [l.text, l.truncated, l.level])).toEqual([
      [`[WARN] ${'w'.repeat(25)}… [line cut at 32 bytes]`, true, 'warn'],
      [`${'w'.repeat(32)}… [line cut at 32 bytes]`, true, 'warn'],
      ['w'.repeat(13), false, 'warn'],
      ['short', false, null],
    ]);
    expect(rebuildOutput(await fileRecords('svc'))).toBe(output);
    const tail = await readTail(dir, 'svc', 10, { maxLineBytes: 32 });
    expect(tail.map((l) => l.text)).toEqual(lines.map((l) => l.text));
  });

  it('batches many lines of one tick at the cadence, newest kept, skipped counted', async () => {
    const t = manualTimer();
    let clock = 1_000_000;
    const p = new LogPipeline({ logDir: dir, timer: t.timer, now: () => clock });
    const got: [number, number, number][] = [];
    p.onBatch((lines, skipped) => void got.push([lines.length, skipped, lines[0]!.seq]));

    for (let i = 1; i <= 100; i++) p.write('svc', 'stdout', Buffer.from(`n=${i}\n`));
    expect(got).toEqual([]); // nothing before the timer fires
    expect(t.fire()).toBe(1); // a single timer for the whole tick
    expect(got).toEqual([[100, 0, 1]]);

    const burst = Array.from({ length: 5_000 }, (_, i) => `m=${i}\n`).join('');
    p.write('svc', 'stdout', Buffer.from(burst));
    clock += 100; // a late batch: its budget (3,000 lines) is over the 2,000-line ceiling
    expect(t.fire()).toBe(1);
    expect(got[1]).toEqual([2_000, 3_000, 3_101]);
    expect(t.fire()).toBe(0); // idle: no timer armed
    await p.close();
    expect(await fileRecords('svc')).toHaveLength(5_100);
  });

  it('caps an on-time live batch at 500 lines or 256 KiB, newest kept, the rest counted', async () => {
    const t = manualTimer();
    const clock = 1_000_000; // held still: every batch is "on time" (no elapsed budget)
    const p = new LogPipeline({ logDir: dir, timer: t.timer, now: () => clock });
    const got: [number, number, string][] = [];
    p.onBatch((lines, skipped) => void got.push([lines.length, skipped, lines.at(-1)!.text]));
    p.write(
      'svc',
      'stdout',
      Buffer.from(Array.from({ length: 3_000 }, (_, i) => `s${i}\n`).join('')),
    );
    t.fire();
    // 1,000 lines of ~1 KiB weigh ~1.1 MiB by lineCost: the byte cap binds (~235 lines).
    const wide = 'w'.repeat(1024);
    p.write(
      'svc',
      'stdout',
      Buffer.from(Array.from({ length: 1_000 }, (_, i) => `${wide}${i}\n`).join('')),
    );
    t.fire();
    await p.close();
    expect(got[0]).toEqual([500, 2_500, 's2999']);
    const [n, skipped, last] = got[1]!;
    expect(n).toBe(Math.floor((256 * 1024) / (wide.length + 3 + 100)));
    expect(n + skipped).toBe(1_000);
    expect(last).toBe(`${wide}999`);
    // The live stream skips; the file never does.
    expect(await fileRecords('svc')).toHaveLength(4_000);
  });

  it('a late live batch carries what its elapsed time allows at 30,000 lines/s, up to 2,000 lines', async () => {
    const t = manualTimer();
    let clock = 1_000_000;
    const p = new LogPipeline({ logDir: dir, timer: t.timer, now: () => clock });
    const got: [number, number][] = [];
    p.onBatch((lines, skipped) => void got.push([lines.length, skipped]));
    const lines = (n: number, tag: string): Buffer =>
      Buffer.from(Array.from({ length: n }, (_, i) => `${tag}${i}\n`).join(''));
    // 150 ms late at 4,000 lines/s: 600 lines, more than an on-time batch's 500, none skipped.
    p.write('svc', 'stdout', lines(600, 'a'));
    clock += 150;
    t.fire();
    // 40 ms: a budget of 1,200 lines; 1,500 waiting -> 300 skipped.
    p.write('svc', 'stdout', lines(1_500, 'b'));
    clock += 40;
    t.fire();
    // A whole second late: the ceiling is the live queue's 2,000 lines.
    p.write('svc', 'stdout', lines(2_500, 'c'));
    clock += 1_000;
    t.fire();
    await p.close();
    expect(got).toEqual([
      [600, 0],
      [1_200, 300],
      [2_000, 500],
    ]);
    expect(await fileRecords('svc')).toHaveLength(4_600);
  });

  it('drops from the live stream only while a slow consumer drains; the file keeps every line', async () => {
    const t = manualTimer();
    const p = new LogPipeline({ logDir: dir, timer: t.timer, maxBatchLines: 50 });
    let release: () => void = () => {};
    const got: { n: number; skipped: number; first: string }[] = [];
    p.onBatch((lines, skipped) => {
      got.push({ n: lines.length, skipped, first: lines[0]!.text });
      return new Promise<void>((r) => (release = r));
    });

    p.write('svc', 'stdout', Buffer.from('first\n'));
    t.fire();
    // The consumer is busy: no timer is armed however much arrives.
    for (let i = 0; i < 300; i++) p.write('svc', 'stdout', Buffer.from(`line ${i}\n`));
    expect(t.fire()).toBe(0);
    release();
    await new Promise((r) => setImmediate(r));
    expect(t.fire()).toBe(1);
    expect(got).toEqual([
      { n: 1, skipped: 0, first: 'first' },
      { n: 50, skipped: 250, first: 'line 250' },
    ]);
    release();
    await p.close();
    const texts = (await fileRecords('svc')).map((r) => r.text);
    expect(texts).toEqual(['first', ...Array.from({ length: 300 }, (_, i) => `line ${i}`)]);
  });

  it('delivers the last batch and partial lines on close and ignores writes after', async () => {
    const t = manualTimer();
    const p = new LogPipeline({ logDir: dir, timer: t.timer });
    const got: string[] = [];
    p.onBatch((lines) => void got.push(...lines.map((l) => l.text)));
    p.write('svc', 'stdout', Buffer.from('done\nno newline'));
    await p.close();
    p.write('svc', 'stdout', Buffer.from('late\n'));
    expect(got).toEqual(['done', 'no newline']);
    expect((await fileRecords('svc')).map((r) => r.text)).toEqual(['done', 'no newline']);
  });

  it('keeps capturing when a listener throws', async () => {
    const t = manualTimer();
    const p = new LogPipeline({ logDir: dir, timer: t.timer });
    p.onBatch(() => {
      throw new Error('renderer gone');
    });
    const off = p.onBatch(() => {});
    off();
    p.write('svc', 'stdout', Buffer.from('a\n'));
    t.fire();
    p.write('svc', 'stdout', Buffer.from('b\n'));
    await p.close();
    expect(p.tail('svc').map((l) => l.text)).toEqual(['a', 'b']);
  });

  it('adds its own system lines in order, redacted, to ring, live stream and file', async () => {
    const { timer, fire } = manualTimer();
    const p = new LogPipeline({ logDir: dir, timer });
    p.setSecrets([{ name: 'ANTHROPIC_API_KEY', value: KEY }]);
    const batches: LogLine[][] = [];
    p.onBatch((lines) => void batches.push(lines));
    p.mark('svc', '── started (pid 42) ──');
    p.write('svc', 'stdout', Buffer.from('hello\n'));
    p.mark('svc', `── exited (pid 42): saw ${KEY}\nthen died ──`, 'error');
    fire();
    const expected = [
      ['system', 'info', '── started (pid 42) ──'],
      ['stdout', null, 'hello'],
      ['system', 'error', '── exited (pid 42): saw [redacted:ANTHROPIC_API_KEY] then died ──'],
    ];
    const shape = (l: LogLine | { stream: string; level: unknown; text: string }) => [
      l.stream,
      l.level,
      l.text,
    ];
    expect(p.tail('svc').map(shape)).toEqual(expected);
    expect(batches.flat().map(shape)).toEqual(expected);
    await p.close();
    const records = await fileRecords('svc');
    expect(records.map(shape)).toEqual(expected);
    // The child's own output rebuilds without Stigmer Local's lines.
    expect(rebuildOutput(records.filter((r) => r.stream === 'stdout'))).toBe('hello\n');
    const tail = await readTail(dir, 'svc', 10);
    expect(tail.map(shape)).toEqual(expected);
  });

  it('says once, in the log view, that a log file cannot be written, and keeps the lines', async () => {
    // The log dir is a file: every write fails (as on a full disk or a read-only folder).
    const blocked = path.join(dir, 'not-a-dir');
    await writeFile(blocked, 'x');
    const errors: string[] = [];
    const p = new LogPipeline({
      logDir: blocked,
      onFileError: (service, error) => errors.push(`${service}: ${error.message}`),
    });
    for (let i = 1; i <= 5; i++) {
      p.write('svc', 'stdout', Buffer.from(`line ${i}\n`));
      await p.flush();
    }
    await p.close();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^svc: E(EXIST|NOTDIR)/);
    const lines = p.tail('svc');
    expect(lines.filter((l) => l.stream === 'stdout').map((l) => l.text)).toEqual([
      'line 1',
      'line 2',
      'line 3',
      'line 4',
      'line 5',
    ]);
    const notes = lines.filter((l) => l.stream === 'system');
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ level: 'error' });
    expect(notes[0]!.text).toMatch(
      /could not write its log file: E(EXIST|NOTDIR).*kept in memory only \(the last 10,000\)/,
    );
  });

  it('rebuilds any output byte for byte from the file, however it is chunked (seeded fuzz)', async () => {
    // A deterministic PRNG, so a failure names a reproducible seed.
    const prng = (seed: number) => () => {
      seed = (seed + 0x6d2b79f5) >>> 0;
      let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pieces = [
      '[INFO] ok',
      '{"level":"warn","n":1}',
      'café → naïve',
      '\x1b[31mERROR\x1b[0m: x',
    ];
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const rnd = prng(seed);
      const pick = <T>(a: readonly T[]) => a[Math.floor(rnd() * a.length)]!;
      let out = '';
      let redactedOut = '';
      while (out.length < 150_000) {
        const r = rnd();
        if (r > 0.97) {
          // A burst of empty and 1-2 byte lines: each adds a 40-byte prefix in the file.
          const burst =
            Array.from({ length: 300 }, () => 'é'.repeat(Math.floor(rnd() * 3))).join('\n') + '\n';
          out += burst;
          redactedOut += burst;
          continue;
        }
        // Mostly ordinary lines (the block path), some CR/CRLF, long lines, planted keys.
        const body =
          r < 0.02
            ? 'L'.repeat(40 + Math.floor(rnd() * 200))
            : `${pick(pieces)} ${'x'.repeat(Math.floor(rnd() * 120))}`;
        const end = r < 0.05 ? '\r\n' : r < 0.07 ? '\r' : '\n';
        const planted = rnd() < 0.01;
        out += (planted ? `key=${KEY} ` : '') + body + end;
        redactedOut += (planted ? 'key=[redacted:ANTHROPIC_API_KEY] ' : '') + body + end;
      }
      const bytes = Buffer.from(out);
      const p = new LogPipeline({ logDir: dir, maxLineBytes: 128 });
      p.setSecrets([{ name: 'ANTHROPIC_API_KEY', value: KEY }]);
      const svc = `fuzz-${seed}`;
      for (let off = 0; off < bytes.length;) {
        // Chunk sizes from 1 byte to 64 KiB, so every boundary case (split CRLF, split UTF-8
        // character, split key, leftover line then block) comes up.
        const size = rnd() < 0.3 ? 1 + Math.floor(rnd() * 16) : 1 + Math.floor(rnd() * 65_536);
        p.write(svc, 'stdout', bytes.subarray(off, off + size));
        off += size;
        if (rnd() < 0.1) await new Promise((r) => setImmediate(r));
      }
      await p.close();
      expect(rebuildOutput(await fileRecords(svc)) === redactedOut, `seed ${seed}`).toBe(true);
    }
  });
});
