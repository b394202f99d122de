import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  PS_ARGS,
  UsageSampler,
  defaultGroupReader,
  parsePsTime,
  procGroupReader,
  psGroupReader,
  type GroupReader,
  type GroupSample,
} from './resource-usage';
import { cleanup, eventually, makeTempDir, tracker, type Tracker } from './test-fixtures/helpers';

const onLinux = process.platform === 'linux';

let t: Tracker;

beforeEach(() => {
  t = tracker();
});

afterEach(async () => {
  // SIGKILLs -pid (the whole group) and pid, removes temp dirs.
  await cleanup(t);
});

/** Spawns `node -e script` as the leader of a new process group; resolves once it printed a line. */
function spawnGroup(script: string): Promise<number> {
  const child = spawn(process.execPath, ['-e', script], {
    detached: true,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (child.pid !== undefined) t.pids.push(child.pid);
  return new Promise((resolve, reject) => {
    child.stdout.once('data', () => resolve(child.pid!));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`group leader exited early (${code})`)));
  });
}

/** A leader that idles and starts two helpers (in its group) running `helper`. */
const leaderWithHelpers = (helper: string): string => `
  const { spawn } = require('node:child_process');
  for (let i = 0; i < 2; i++) spawn(process.execPath, ['-e', ${JSON.stringify(helper)}], { stdio: 'ignore' });
  setInterval(() => {}, 60_000);
  console.log('ready');
`;
const IDLE = `setInterval(() => {}, 60_000); console.log('ready');`;
const BUSY = 'for (;;) {}';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('procGroupReader on the real /proc', () => {
  it.skipIf(!onLinux)(
    'sums a leader and its two busy helpers; a busy group uses far more CPU than an idle one',
    async () => {
      const busy = await spawnGroup(leaderWithHelpers(BUSY));
      const idle = await spawnGroup(IDLE);
      const reader = procGroupReader();
      await eventually(
        async () => (await reader([busy])).get(busy)?.processes === 3,
        'both helpers started',
      );

      const sampler = new UsageSampler(reader);
      const first = await sampler.sample([busy, idle]);
      expect(first.get(busy)).toMatchObject({ cpuPercent: null, processes: 3 });
      expect(first.get(idle)).toMatchObject({ cpuPercent: null, processes: 1 });
      await sleep(600);
      const second = await sampler.sample([busy, idle]);

      const b = second.get(busy)!;
      const i = second.get(idle)!;
      expect(b.processes).toBe(3);
      expect(b.rssBytes).toBeGreaterThan(5e6);
      expect(i.processes).toBe(1);
      expect(i.rssBytes).toBeGreaterThan(5e6);
      // Two spinning helpers get a visible share of a core; how much depends on what else the
      // machine runs (a 2-core box running the whole suite gave them 28 %), so the real check
      // is the ratio against the idle group below, not an absolute figure.
      expect(b.cpuPercent).toBeGreaterThan(5);
      expect(i.cpuPercent).toBeLessThan(10);
      expect(b.cpuPercent!).toBeGreaterThan(3 * i.cpuPercent!);
    },
  );

  it.skipIf(!onLinux)('leaves out a group whose processes are gone', async () => {
    const pid = await spawnGroup(IDLE);
    const reader = procGroupReader();
    expect((await reader([pid])).get(pid)?.processes).toBe(1);
    process.kill(-pid, 'SIGKILL');
    // Dead but maybe not yet reaped (a zombie): either way it no longer counts.
    await eventually(async () => !(await reader([pid])).has(pid), 'group gone');
  });
});

/** A /proc/<pid>/stat line; `comm` goes inside the parentheses verbatim. */
function statLine(
  pid: number,
  comm: string,
  o: { state?: string; pgrp: number; utime: number; stime: number; rss: number },
): string {
  // Fields after "(comm)", 0-based: state ppid pgrp session tty tpgid flags minflt cminflt
  // majflt cmajflt utime stime cutime cstime priority nice threads itreal starttime vsize rss ...
  const f: (string | number)[] = [o.state ?? 'S', 1, o.pgrp, o.pgrp, 0, -1, 4194560];
  f.push(11, 0, 0, 0, o.utime, o.stime, 999, 999, 20, 0, 1, 0, 12345, 987654321, o.rss);
  f.push('18446744073709551615', 1, 1, 0, 0, 0, 0, 0, 4096, 1256, 0, 0, 0, 17, 1, 0, 0, 0);
  return `${pid} (${comm}) ${f.join(' ')}\n`;
}

describe('procGroupReader on a fake /proc', () => {
  async function fakeProc(files: Record<string, string | null>): Promise<string> {
    const root = await makeTempDir(t);
    for (const [entry, stat] of Object.entries(files)) {
      await mkdir(join(root, entry));
      if (stat !== null) await writeFile(join(root, entry, 'stat'), stat);
    }
    await writeFile(join(root, 'uptime'), '1.0 1.0\n');
    return root;
  }

  it('sums per group, survives odd comm names and vanished pids, skips zombies', async () => {
    const root = await fakeProc({
      '100': statLine(100, 'leader', { pgrp: 100, utime: 150, stime: 50, rss: 1000 }),
      '101': statLine(101, 'my) weird (name)', { pgrp: 100, utime: 10, stime: 5, rss: 24 }),
      '102': null, // exited between readdir and reading its stat
      '103': statLine(103, 'dead', { state: 'Z', pgrp: 100, utime: 7, stime: 7, rss: 0 }),
      '104': statLine(104, 'a b ) c', { state: 'R', pgrp: 200, utime: 1, stime: 2, rss: 3 }),
      '105': statLine(105, 'other', { pgrp: 300, utime: 5, stime: 5, rss: 5 }),
      '106': 'garbage without a closing paren',
      self: statLine(1, 'not a pid dir', { pgrp: 100, utime: 1e6, stime: 0, rss: 1e6 }),
    });
    const reader = procGroupReader(root, { ticksPerSecond: 100, pageSize: 4096 });
    const result = await reader([100, 200, 999]);

    expect([...result.keys()].sort()).toEqual([100, 200]);
    const g100 = result.get(100)!;
    expect(g100).toMatchObject({ cpuMs: 2150, rssBytes: 1024 * 4096, processes: 2 });
    expect(Object.fromEntries(g100.cpuMsByPid!)).toEqual({ 100: 2000, 101: 150 });
    expect(result.get(200)).toMatchObject({ cpuMs: 30, rssBytes: 3 * 4096, processes: 1 });
  });

  it('uses the clock tick and page size it is given', async () => {
    const root = await fakeProc({
      '7': statLine(7, 'x', { pgrp: 7, utime: 250, stime: 250, rss: 10 }),
    });
    const result = await procGroupReader(root, { ticksPerSecond: 250, pageSize: 16384 })([7]);
    expect(result.get(7)).toMatchObject({ cpuMs: 2000, rssBytes: 163840, processes: 1 });
  });

  it('rejects clearly when the proc root cannot be listed', async () => {
    const missing = join(await makeTempDir(t), 'no-proc');
    await expect(
      procGroupReader(missing, { ticksPerSecond: 100, pageSize: 4096 })([1]),
    ).rejects.toThrow(`Cannot list processes in ${missing}`);
  });
});

describe('psGroupReader', () => {
  // Recorded from macOS `ps -A -o pid=,pgid=,rss=,time=,stat=` (pids/pgids edited).
  const macOutput = [
    '    1     1  12345   1:02:03 Ss  ',
    '  500   500  20480   0:01.50 S   ',
    '  501   500   4096  12:34.00 R+  ',
    '  502   500      0   0:00.00 Z   ',
    '  600   600   1024 2-01:00:00 SN  ',
    '  601   700    512   0:00.25 S   ',
    '',
  ].join('\n');

  it('parses macOS and procps CPU time formats', () => {
    expect(parsePsTime('0:01.50')).toBe(1_500);
    expect(parsePsTime('12:34.00')).toBe(754_000);
    expect(parsePsTime('1:02:03')).toBe(3_723_000);
    expect(parsePsTime('2-01:00:00')).toBe(176_400_000);
    expect(parsePsTime('00:00:06')).toBe(6_000); // procps
    expect(parsePsTime('123:45.67')).toBe(7_425_670); // macOS: minutes are not wrapped
    expect(parsePsTime('-')).toBeNaN();
  });

  it('sums recorded macOS output per group (rss in KiB), skipping zombies', async () => {
    const calls: [string, string[]][] = [];
    const reader = psGroupReader((file, args) => {
      calls.push([file, args]);
      return Promise.resolve(macOutput);
    });
    const result = await reader([1, 500, 600, 999]);

    expect(calls).toEqual([['ps', PS_ARGS]]);
    expect([...result.keys()].sort((a, b) => a - b)).toEqual([1, 500, 600]);
    expect(result.get(1)).toMatchObject({ cpuMs: 3_723_000, rssBytes: 12345 * 1024 });
    expect(result.get(500)).toMatchObject({
      cpuMs: 1_500 + 754_000,
      rssBytes: (20480 + 4096) * 1024,
      processes: 2,
    });
    expect(Object.fromEntries(result.get(500)!.cpuMsByPid!)).toEqual({ 500: 1_500, 501: 754_000 });
    expect(result.get(600)).toMatchObject({ cpuMs: 176_400_000, rssBytes: 1024 * 1024 });
  });

  it('rejects with a clear error when ps fails or prints something unexpected', async () => {
    const missing = psGroupReader(() => Promise.reject(new Error('spawn ps ENOENT')));
    await expect(missing([1])).rejects.toThrow('Cannot list processes with ps: spawn ps ENOENT');
    const odd = psGroupReader(() => Promise.resolve('  5  5  100  soon  S\n'));
    await expect(odd([5])).rejects.toThrow('Unexpected ps output line');
  });

  it.skipIf(!onLinux)('agrees with procGroupReader on a real group (procps ps)', async () => {
    const leader = await spawnGroup(leaderWithHelpers(IDLE));
    const proc = procGroupReader();
    await eventually(
      async () => (await proc([leader])).get(leader)?.processes === 3,
      'both helpers started',
    );
    const viaPs = await psGroupReader()([leader]);
    const viaProc = await proc([leader]);
    expect(viaPs.get(leader)?.processes).toBe(3);
    expect(viaPs.get(leader)?.processes).toBe(viaProc.get(leader)?.processes);
    expect([...viaPs.get(leader)!.cpuMsByPid!.keys()].sort()).toEqual(
      [...viaProc.get(leader)!.cpuMsByPid!.keys()].sort(),
    );
    // Same order of magnitude for memory (sampled a moment apart, and ps rounds to KiB).
    const psRss = viaPs.get(leader)!.rssBytes;
    const procRss = viaProc.get(leader)!.rssBytes;
    expect(psRss / procRss).toBeGreaterThan(0.8);
    expect(psRss / procRss).toBeLessThan(1.25);
    // The default reader on a non-Linux platform is ps, which works here too.
    expect((await defaultGroupReader('darwin')([leader])).get(leader)?.processes).toBe(3);
  });
});

describe('UsageSampler', () => {
  function fake(): {
    reader: GroupReader;
    set: (pgid: number, s: GroupSample | undefined) => void;
    clock: { now: number };
    calls: number[][];
  } {
    const state = new Map<number, GroupSample>();
    const calls: number[][] = [];
    const reader: GroupReader = (pgids) => {
      calls.push([...pgids]);
      const out = new Map<number, GroupSample>();
      for (const p of pgids) {
        const s = state.get(p);
        if (s) out.set(p, s);
      }
      return Promise.resolve(out);
    };
    return {
      reader,
      set: (pgid, s) => (s ? state.set(pgid, s) : state.delete(pgid)),
      clock: { now: 1_000 },
      calls,
    };
  }

  it('reports null CPU first, then delta CPU ms over delta wall ms', async () => {
    const f = fake();
    const sampler = new UsageSampler(f.reader, () => f.clock.now);
    f.set(10, { cpuMs: 5_000, rssBytes: 100, processes: 2 });
    expect((await sampler.sample([10])).get(10)).toEqual({
      cpuPercent: null,
      rssBytes: 100,
      processes: 2,
    });

    f.clock.now += 2_000;
    f.set(10, { cpuMs: 6_500, rssBytes: 200, processes: 3 });
    expect((await sampler.sample([10])).get(10)).toEqual({
      cpuPercent: 75,
      rssBytes: 200,
      processes: 3,
    });

    f.clock.now += 500;
    f.set(10, { cpuMs: 7_500, rssBytes: 200, processes: 3 }); // two cores busy
    expect((await sampler.sample([10])).get(10)?.cpuPercent).toBe(200);
  });

  it('drops a group that disappears and forgets its state', async () => {
    const f = fake();
    const sampler = new UsageSampler(f.reader, () => f.clock.now);
    f.set(10, { cpuMs: 1_000, rssBytes: 1, processes: 1 });
    f.set(20, { cpuMs: 0, rssBytes: 1, processes: 1 });
    await sampler.sample([10, 20]);

    f.clock.now += 1_000;
    f.set(10, undefined);
    f.set(20, { cpuMs: 100, rssBytes: 1, processes: 1 });
    const second = await sampler.sample([10, 20]);
    expect(second.has(10)).toBe(false);
    expect(second.get(20)?.cpuPercent).toBe(10);

    // Same id comes back (a new group): no stale baseline, so first-sample behaviour again.
    f.clock.now += 1_000;
    f.set(10, { cpuMs: 50_000, rssBytes: 1, processes: 1 });
    expect((await sampler.sample([10, 20])).get(10)?.cpuPercent).toBeNull();

    // A group not asked for is forgotten as well.
    f.clock.now += 1_000;
    await sampler.sample([10]);
    f.clock.now += 1_000;
    expect((await sampler.sample([20])).get(20)?.cpuPercent).toBeNull();
  });

  it('counts per process, so an exiting helper does not hide the others', async () => {
    const f = fake();
    const sampler = new UsageSampler(f.reader, () => f.clock.now);
    f.set(10, {
      cpuMs: 10_500,
      rssBytes: 1,
      processes: 2,
      cpuMsByPid: new Map([
        [10, 500],
        [11, 10_000],
      ]),
    });
    await sampler.sample([10]);
    f.clock.now += 1_000;
    // Helper 11 exited (its 10 s are gone), leader used 400 ms, new helper 12 used 100 ms.
    f.set(10, {
      cpuMs: 1_000,
      rssBytes: 1,
      processes: 2,
      cpuMsByPid: new Map([
        [10, 900],
        [12, 100],
      ]),
    });
    expect((await sampler.sample([10])).get(10)?.cpuPercent).toBe(50);

    // Without per-pid data a shrinking total is clamped to 0, never negative.
    f.clock.now += 1_000;
    f.set(10, { cpuMs: 100, rssBytes: 1, processes: 1 });
    expect((await sampler.sample([10])).get(10)?.cpuPercent).toBe(0);
  });

  it('serialises overlapping calls and keeps working after a reader failure', async () => {
    let calls = 0;
    let active = 0;
    let overlapped = false;
    const reader: GroupReader = async () => {
      const call = ++calls;
      overlapped ||= active > 0;
      active++;
      await sleep(5);
      active--;
      if (call === 1) throw new Error('ps missing');
      return new Map([[1, { cpuMs: call === 2 ? 0 : 50, rssBytes: 1, processes: 1 }]]);
    };
    let now = 0;
    const sampler = new UsageSampler(reader, () => (now += 100));
    const [a, b, c] = await Promise.allSettled([
      sampler.sample([1]),
      sampler.sample([1]),
      sampler.sample([1]),
    ]);
    expect(overlapped).toBe(false);
    expect(a).toMatchObject({ status: 'rejected', reason: new Error('ps missing') });
    expect(b.status === 'fulfilled' && b.value.get(1)?.cpuPercent).toBeNull();
    expect(c.status === 'fulfilled' && c.value.get(1)?.cpuPercent).toBe(50);
  });
});
