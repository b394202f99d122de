import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LogLine } from '../../../src-shared/model/log';
import { LogCapture, type LogCaptureOptions } from './capture-client';
import { parseRecord, type FileRecord } from './file-format';
import { buildCaptureWorker } from './test-worker-bundle';

const FIXTURE = path.join(import.meta.dirname, 'test-fixtures/print-lines.mjs');
/** Matches no built-in key shape: only the value list can redact it. */
const CANARY = 'canary-VALUE-7f3a9c1e5b42d';

let workerUrl: URL;
let dir: string;
const open: LogCapture[] = [];

beforeAll(async () => {
  workerUrl = await buildCaptureWorker();
}, 60_000);
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'stigmer-capture-'));
});
afterEach(async () => {
  for (const c of open.splice(0)) await c.close();
  await rm(dir, { recursive: true, force: true });
});

function capture(options: Partial<LogCaptureOptions> = {}): {
  c: LogCapture;
  batches: LogLine[][];
  problems: string[];
} {
  const problems: string[] = [];
  const c = new LogCapture({
    logDir: dir,
    workerUrl,
    onProblem: (m) => problems.push(m),
    ...options,
  });
  open.push(c);
  const batches: LogLine[][] = [];
  c.onBatch((lines) => void batches.push(lines));
  c.setSecrets([{ name: 'CANARY_KEY', value: CANARY }]);
  return { c, batches, problems };
}

/** Runs the fixture as a real child, feeding its pipes to the capture; resolves at exit. */
function run(
  c: LogCapture,
  service: string,
  env: Record<string, string>,
  onChunk?: (bytes: number) => void,
): Promise<void> {
  const child = spawn(process.execPath, [FIXTURE], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let seen = 0;
  child.stdout.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    c.write(service, 'stdout', chunk);
    onChunk?.(seen);
  });
  child.stderr.on('data', (chunk: Buffer) => c.write(service, 'stderr', chunk));
  return new Promise((resolve) => child.on('close', () => resolve()));
}

/** Every record of a service's files, oldest file first. */
async function records(service: string): Promise<FileRecord[]> {
  const names = (await readdir(dir)).filter((f) => f.startsWith(`${service}.log`));
  const age = (f: string) => Number(f.slice(`${service}.log`.length + 1) || 0);
  names.sort((a, b) => age(b) - age(a));
  let body = '';
  for (const f of names) body += await readFile(path.join(dir, f), 'utf8');
  return body
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => parseRecord(l))
    .filter((r): r is FileRecord => r !== null);
}

describe('LogCapture in a worker thread', () => {
  it('captures a real child: lines, levels, CRLF, redaction in file, batches and tail', async () => {
    const { c, batches, problems } = capture();
    expect(c.mode).toBe('worker');
    await run(c, 'svc', { LINES: '3000', CANARY });
    c.mark('svc', `exited (printed ${CANARY} once)`);
    await c.flush();
    const recs = await records('svc');
    const out = recs.filter((r) => r.stream === 'stdout');
    expect(out).toHaveLength(3000);
    expect(out[6]).toMatchObject({ level: 'error', text: 'ERROR: line 7 failed', end: 'crlf' });
    expect(out[0]).toMatchObject({ level: 'info', text: '[INFO] line 1 ok', end: 'lf' });
    expect(out[499]!.text).toBe('[WARN] line 500 leaked [redacted:CANARY_KEY] oops');
    expect(recs.find((r) => r.stream === 'stderr')?.text).toBe('done 3000');
    const tail = await c.tail('svc');
    expect(tail.at(-1)).toMatchObject({
      stream: 'system',
      text: 'exited (printed [redacted:CANARY_KEY] once)',
    });
    expect(tail.filter((l) => l.stream === 'stdout')).toHaveLength(3000);
    await c.close();
    const lines = batches.flat();
    expect(lines.length).toBeGreaterThan(0);
    // The canary is nowhere: files, batches, tail, problems.
    const files = await readdir(dir);
    for (const f of files) expect(await readFile(path.join(dir, f), 'utf8')).not.toContain(CANARY);
    expect(JSON.stringify(lines)).not.toContain(CANARY);
    expect(JSON.stringify(tail)).not.toContain(CANARY);
    expect(problems.join('\n')).not.toContain(CANARY);
    expect(problems).toEqual([]);
  });

  it('rotates files in the worker', async () => {
    const { c } = capture({ maxFileBytes: 64 * 1024, keepFiles: 3 });
    await run(c, 'rot', { LINES: '20000' });
    await c.flush();
    const files = (await readdir(dir)).filter((f) => f.startsWith('rot')).sort();
    expect(files).toEqual(['rot.log', 'rot.log.1', 'rot.log.2']);
    const last = await records('rot');
    expect(last.filter((r) => r.stream === 'stdout').at(-1)?.text).toBe('[INFO] line 20000 ok');
  });

  it('restarts a worker killed mid-flood; the log says lines were lost and capture goes on', async () => {
    const { c, problems } = capture();
    const first = c.currentWorker!;
    let killed = false;
    await run(c, 'flood', { LINES: '300000', CANARY }, (seen) => {
      if (!killed && seen > 2_000_000) {
        killed = true;
        void first.terminate();
      }
    });
    await c.flush();
    expect(killed).toBe(true);
    // Restarted; on a heavily loaded machine the new worker itself was once seen to stop too
    // (then capture moves to the main thread, which the problems must say, and goes on).
    if (c.mode !== 'worker') {
      expect(problems.join('\n'), 'why capture left the worker').toMatch(
        /capturing on the main thread/,
      );
    }
    expect(c.currentWorker).not.toBe(first);
    const recs = await records('flood');
    const gap = recs.find((r) => r.stream === 'system' && r.text.includes('log capture restarted'));
    expect(gap?.level).toBe('warn');
    const out = recs.filter((r) => r.stream === 'stdout');
    // Lines after the restart are captured to the very end.
    expect(out.at(-1)?.text).toBe('[INFO] line 300000 ok');
    expect(out.length).toBeLessThanOrEqual(300000);
    // Every line on disk is whole (no torn record among them).
    for (const r of out)
      expect(r.text).toMatch(
        /^(\[INFO\] line \d+ ok|ERROR: line \d+ failed|\[WARN\] line \d+ leaked \[redacted:CANARY_KEY\] oops)$/,
      );
    const tail = await c.tail('flood', 50);
    // Two pipes: which of the last lines arrived first is the OS's choice.
    expect(tail.map((l) => l.text)).toEqual(
      expect.arrayContaining(['done 300000', '[INFO] line 300000 ok']),
    );
    expect(problems.some((p) => p.includes('restarted'))).toBe(true);
    expect(problems.join('\n')).not.toContain(CANARY);
  });

  it('inline mode writes the same lines as worker mode for the same output', async () => {
    const w = capture();
    await run(w.c, 'same', { LINES: '5000', CANARY });
    await w.c.close();
    const viaWorker = (await records('same')).map(({ stream, level, text, end }) => ({
      stream,
      level,
      text,
      end,
    }));
    await rm(path.join(dir, 'same.log'));
    const i = capture({ mode: 'inline' });
    expect(i.c.mode).toBe('inline');
    await run(i.c, 'same', { LINES: '5000', CANARY });
    await i.c.close();
    const inline = (await records('same')).map(({ stream, level, text, end }) => ({
      stream,
      level,
      text,
      end,
    }));
    expect(inline).toHaveLength(5001);
    expect(inline).toEqual(viaWorker);
    expect(i.problems).toEqual([]);
  });

  it('falls back to the main thread when the worker cannot start, and says so in the log', async () => {
    const { c, problems } = capture({
      workerUrl: pathToFileURL(path.join(dir, 'no-such-worker.mjs')),
    });
    expect(c.mode).toBe('inline');
    await run(c, 'fb', { LINES: '10' });
    await c.flush();
    const recs = await records('fb');
    expect(recs[0]).toMatchObject({ stream: 'system', level: 'warn' });
    expect(recs[0]!.text).toContain('log capture runs on the main thread');
    expect(recs[0]!.text).toContain('missing');
    expect(recs.filter((r) => r.stream === 'stdout')).toHaveLength(10);
    expect(problems).toHaveLength(1);
  });

  it('caps the ring and the live batches in bytes, not only in lines', async () => {
    const { c, batches } = capture({ ringMaxBytes: 256 * 1024, maxBatchBytes: 64 * 1024 });
    // 2,000 lines of ~4 KiB: 8 MiB of output, far over both caps.
    await run(c, 'wide', { LINES: '2000', WIDTH: '4000' });
    await c.flush();
    const tail = await c.tail('wide');
    const bytes = tail.reduce((n, l) => n + l.text.length + 100, 0);
    expect(bytes).toBeLessThanOrEqual(256 * 1024);
    expect(tail.length).toBeGreaterThan(10);
    expect(tail.slice(-5).map((l) => l.text)).toContain('done 2000');
    for (const b of batches) {
      expect(b.reduce((n, l) => n + l.text.length + 100, 0)).toBeLessThanOrEqual(64 * 1024);
    }
    // The file still has every line.
    expect((await records('wide')).filter((r) => r.stream === 'stdout')).toHaveLength(2000);
  });

  it('a tail asked while the worker dies is still answered (from the files)', async () => {
    const { c } = capture({ maxRestarts: 0 });
    await run(c, 'gone', { LINES: '100' });
    await c.flush();
    const worker = c.currentWorker!;
    const asked = c.tail('gone');
    await worker.terminate();
    const lines = await asked;
    expect(lines.filter((l) => l.stream === 'stdout')).toHaveLength(100);
    // No restarts allowed: capture goes on here, and the log says so.
    expect(c.mode).toBe('inline');
    c.mark('gone', 'still captured');
    await c.flush();
    const texts = (await records('gone')).map((r) => r.text);
    expect(texts.at(-1)).toBe('still captured');
    expect(texts.some((t) => t.includes('log capture runs on the main thread'))).toBe(true);
  });

  it('carries chunks that do not own their memory through the shared ring', async () => {
    const { c } = capture();
    await c.flush(); // the worker runs (its hello came before this reply)
    let text = '';
    for (let i = 1; i <= 3000; i++) text += `[INFO] view line ${i}\n`;
    const all = Buffer.from(text);
    // Views into one buffer, cut mid-line: none of them can be transferred.
    for (let off = 0; off < all.length; off += 1000) {
      c.write('view', 'stdout', all.subarray(off, off + 1000));
    }
    expect(all.subarray(0, 10).toString()).toBe('[INFO] vie'); // still ours: copied, not taken
    await c.flush();
    const recs = await records('view');
    expect(recs.map((r) => r.text)).toEqual(text.trimEnd().split('\n'));
  });

  it('inline, asks the caller to pause while the log files are behind', async () => {
    const { c } = capture({ mode: 'inline', highWaterBytes: 1024 * 1024, lowWaterBytes: 0 });
    expect(c.backpressure()).toBeNull();
    c.write('fbp', 'stdout', Buffer.alloc(4 * 1024 * 1024, `${'b'.repeat(1023)}\n`));
    const wait = c.backpressure();
    expect(wait).toBeInstanceOf(Promise);
    await wait;
    expect(c.backpressure()).toBeNull();
    await c.flush();
    expect((await records('fbp')).length).toBe(4096);
  });

  it('asks the caller to pause while the worker is behind, and releases once it caught up', async () => {
    const { c } = capture({ highWaterBytes: 64 * 1024, lowWaterBytes: 16 * 1024 });
    const big = Buffer.alloc(256 * 1024, 'a\n');
    expect(c.backpressure()).toBeNull();
    c.write('bp', 'stdout', big);
    const wait = c.backpressure();
    expect(wait).toBeInstanceOf(Promise);
    await wait;
    expect(c.backpressure()).toBeNull();
    await c.flush();
    expect((await records('bp')).length).toBe(128 * 1024);
  });
});
