import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  InstanceLockedError,
  acquireInstanceLock,
  instanceLockPath,
  readInstanceLock,
  type InstanceLock,
} from './instance-lock';
import { readProcessStartTime } from './supervisor/pid-file';
import { isProcessAlive, waitFor } from './supervisor/process-group';
import { bundleEntries, type Bundle } from './test-fixtures/bundle';

let bundle: Bundle;
let dir: string;
const children: ChildProcess[] = [];
const locks: InstanceLock[] = [];

beforeAll(async () => {
  bundle = await bundleEntries({
    'lock-holder': join(import.meta.dirname, 'test-fixtures/lock-holder.ts'),
  });
});
afterAll(async () => {
  await bundle.dispose();
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stigmer-lock-'));
});
afterEach(async () => {
  for (const lock of locks.splice(0)) await lock.release();
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

/** A lock-holder process with a line reader over its stdout. */
function holder(userDataDir: string): { child: ChildProcess; next: () => Promise<string> } {
  const child = spawn(process.execPath, [bundle.file('lock-holder'), userDataDir, 'browser'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  children.push(child);
  const queue: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const w = waiting.shift();
    if (w) w(line);
    else queue.push(line);
  });
  const next = (): Promise<string> =>
    queue.length > 0
      ? Promise.resolve(queue.shift()!)
      : new Promise((resolve, reject) => {
          waiting.push(resolve);
          child.once('exit', (code) => reject(new Error(`lock-holder exited (${code})`)));
        });
  return { child, next };
}

/** Start a holder and let it take the lock. */
async function liveHolder(userDataDir: string): Promise<ChildProcess> {
  const h = holder(userDataDir);
  expect(await h.next()).toBe('ready');
  h.child.stdin!.write('go\n');
  expect(JSON.parse(await h.next())).toEqual({ result: 'won' });
  return h.child;
}

async function take(): Promise<InstanceLock> {
  const lock = await acquireInstanceLock({ userDataDir: dir, host: 'browser' });
  locks.push(lock);
  return lock;
}

describe('acquireInstanceLock', () => {
  it('writes pid, start time, host and start time of the lock, private to the user', async () => {
    const lock = await take();
    expect(await readInstanceLock(dir)).toEqual(lock.info);
    expect(lock.info).toMatchObject({
      pid: process.pid,
      startTime: await readProcessStartTime(process.pid),
      host: 'browser',
      url: null,
    });
    expect((await stat(instanceLockPath(dir))).mode & 0o777).toBe(0o600);
    await lock.setUrl('http://127.0.0.1:4444/#token=x');
    expect((await readInstanceLock(dir))?.url).toBe('http://127.0.0.1:4444/#token=x');
    // Nothing but the lock is left beside it (no temp or claim files).
    expect(await readdir(join(dir, 'run'))).toEqual(['instance.lock']);
  });

  it('refuses a second acquire while the lock is held, even in the same process', async () => {
    const first = await take();
    const error = await acquireInstanceLock({ userDataDir: dir, host: 'electron' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InstanceLockedError);
    expect((error as InstanceLockedError).holder).toEqual(first.info);
    await first.release();
    expect(await readInstanceLock(dir)).toBeNull();
    await take(); // free again after release
  });

  it('refuses while a live process in another process holds it, naming that process', async () => {
    const child = await liveHolder(dir);
    const error = (await take().catch((e: unknown) => e)) as InstanceLockedError;
    expect(error).toBeInstanceOf(InstanceLockedError);
    expect(error.holder.pid).toBe(child.pid);
    expect(error.message).toContain(
      `Stigmer Local is already running for ${dir} (pid ${child.pid}`,
    );
    expect(isProcessAlive(child.pid!)).toBe(true);
    // The holder's lock is untouched by the refused attempt.
    expect((await readInstanceLock(dir))?.pid).toBe(child.pid);
  });

  it('releases on SIGTERM (clean exit), so the next start takes it without a take-over', async () => {
    const child = await liveHolder(dir);
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    expect(await readInstanceLock(dir)).toBeNull();
    expect((await take()).info.pid).toBe(process.pid);
  });

  it('takes over the stale lock of an owner killed with SIGKILL', async () => {
    const child = await liveHolder(dir);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    await waitFor(() => !isProcessAlive(child.pid!), 5_000);
    expect((await readInstanceLock(dir))?.pid).toBe(child.pid); // left behind, stale
    const lock = await take();
    expect(await readInstanceLock(dir)).toEqual(lock.info);
    expect(await readdir(join(dir, 'run'))).toEqual(['instance.lock']);
  });

  it('takes over a lock whose pid is alive but belongs to another process (recycled pid)', async () => {
    // A live process that never took any lock: its pid is what a recycled pid looks like.
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60000)']);
    children.push(child);
    await new Promise((r) => child.once('spawn', r));
    await mkdir(join(dir, 'run'), { recursive: true });
    await writeFile(
      instanceLockPath(dir),
      JSON.stringify({
        pid: child.pid,
        startTime: 'another-boot:1',
        host: 'browser',
        url: 'http://127.0.0.1:1/',
        startedAt: 1,
        id: 'old',
      }),
    );
    expect(isProcessAlive(child.pid!)).toBe(true);
    const lock = await take();
    expect(await readInstanceLock(dir)).toEqual(lock.info);
    expect(isProcessAlive(child.pid!)).toBe(true); // the innocent process is not touched
  });

  it.each([
    ['empty (torn)', ''],
    ['not JSON', 'garbage\u0000\u00ff'],
    ['JSON of another shape', '{"pid":"1"}'],
  ])('takes over a lock file that is %s', async (_what, content) => {
    await mkdir(join(dir, 'run'), { recursive: true });
    await writeFile(instanceLockPath(dir), content);
    const lock = await take();
    expect(await readInstanceLock(dir)).toEqual(lock.info);
  });

  it('gives the lock to exactly one of two processes starting at once (20 rounds)', async () => {
    for (let round = 0; round < 20; round++) {
      const roundDir = join(dir, `round-${round}`);
      // Odd rounds race for a stale lock (take-over path), even rounds for a free one.
      if (round % 2 === 1) {
        const dead = await liveHolder(roundDir);
        dead.kill('SIGKILL');
        await new Promise((r) => dead.once('exit', r));
        await waitFor(() => !isProcessAlive(dead.pid!), 5_000);
      }
      const racers = [holder(roundDir), holder(roundDir)];
      for (const r of racers) expect(await r.next()).toBe('ready');
      for (const r of racers) r.child.stdin!.write('go\n');
      const results = (await Promise.all(racers.map((r) => r.next()))).map(
        (line) => JSON.parse(line) as { result: string; holder?: number },
      );
      const winners = results.filter((r) => r.result === 'won');
      const refused = results.filter((r) => r.result === 'refused');
      expect(winners, `round ${round}: ${JSON.stringify(results)}`).toHaveLength(1);
      expect(refused).toHaveLength(1);
      const winnerPid = racers[results.indexOf(winners[0]!)]!.child.pid;
      expect(refused[0]!.holder).toBe(winnerPid);
      expect((await readInstanceLock(roundDir))?.pid).toBe(winnerPid);
      for (const r of racers) r.child.kill('SIGKILL');
    }
  }, 180_000); // 20 rounds of 2-3 real node processes each

  it('never leaves the lock path empty while a stale lock is replaced', async () => {
    // The take-over renames over the old file; a reader in between sees old or new bytes.
    await mkdir(join(dir, 'run'), { recursive: true });
    await writeFile(instanceLockPath(dir), 'stale garbage');
    const seen: string[] = [];
    let done = false;
    const reader = (async () => {
      while (!done) {
        seen.push(await readFile(instanceLockPath(dir), 'utf8').catch(() => 'MISSING'));
        await new Promise((r) => setImmediate(r));
      }
    })();
    await take();
    done = true;
    await reader;
    expect(seen).not.toContain('MISSING');
  });
});
