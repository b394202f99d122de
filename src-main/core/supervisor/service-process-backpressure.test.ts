import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ServiceProcess } from './service-process';
import { cleanup, makeTempDir, serviceSpec, tracker, type Tracker } from './test-fixtures/helpers';

const PRINTER = join(import.meta.dirname, '../logs/test-fixtures/print-lines.mjs');
let t: Tracker;
let runDir: string;
beforeEach(async () => {
  t = tracker();
  runDir = await makeTempDir(t);
});
afterEach(() => cleanup(t));

it("pauses a child's pipes while log capture is behind and resumes them after, losing nothing", async () => {
  let release: (() => void) | null = null;
  let pauses = 0;
  let bytes = 0;
  let done = false;
  const spec = serviceSpec('printer', [], { args: [PRINTER] });
  const sp = new ServiceProcess(spec, {
    runDir,
    now: Date.now,
    random: () => 0.5,
    prepareEnv: async () => ({ PATH: process.env.PATH ?? '', LINES: '100000' }),
    onChange: () => {
      const pid = sp.status().pid;
      if (pid !== null && !t.pids.includes(pid)) t.pids.push(pid);
    },
    onOutput: (stream, chunk) => {
      if (stream === 'stdout') bytes += chunk.length;
      else if (chunk.toString().includes('done 100000')) done = true;
    },
    // Behind once, after the first 64 KiB: the child must wait until released.
    outputBackpressure: () => {
      if (pauses > 0 || bytes < 64 * 1024) return null;
      pauses++;
      return new Promise<void>((r) => (release = r));
    },
  });
  expect(await sp.start()).toBe('ready');
  await new Promise((r) => setTimeout(r, 1_000));
  const whilePaused = bytes;
  expect(release).not.toBeNull();
  await new Promise((r) => setTimeout(r, 300));
  // Paused: nothing more was read (what was already read when it paused is all there is).
  expect(bytes).toBe(whilePaused);
  expect(done).toBe(false);
  release!();
  for (let i = 0; i < 200 && !done; i++) await new Promise((r) => setTimeout(r, 50));
  expect(done).toBe(true);
  // Every line arrived: "[INFO] line N ok\n" / "ERROR: line N failed\r\n".
  let expected = 0;
  for (let n = 1; n <= 100_000; n++) {
    expected += n % 7 === 0 ? `ERROR: line ${n} failed\r\n`.length : `[INFO] line ${n} ok\n`.length;
  }
  expect(bytes).toBe(expected);
  await sp.stop();
});
