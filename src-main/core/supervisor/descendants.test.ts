import { describe, expect, it } from 'vitest';
import { DescendantTracker, mergeEscapees } from './descendants';
import {
  TAG_VARIABLE,
  environHasTag,
  parseProcInfo,
  type EnvironReader,
  type ProcInfo,
} from './proc-table';

// A fake /proc: the tracker is pure over the table it is given, so every rule can be shown
// without racing real processes (descendant-sweep.test.ts does that with real ones).
const SELF = 10;
const ROOT = 100;
const ROOT_START = 5_000;
const TAG = 'a'.repeat(32);

/** A process row; by default started after the root, in its own session and group. */
function proc(pid: number, ppid: number, over: Partial<ProcInfo> = {}): ProcInfo {
  return { pid, ppid, pgid: pid, sid: pid, start: ROOT_START + pid, ...over };
}

/** The app (pid 10, child of a shell 5) and the root it spawned (own session and group). */
const base: ProcInfo[] = [
  { pid: 1, ppid: 0, pgid: 1, sid: 1, start: 1 },
  { pid: 5, ppid: 1, pgid: 5, sid: 5, start: 100 },
  { pid: SELF, ppid: 5, pgid: 5, sid: 5, start: 200 },
  { pid: ROOT, ppid: SELF, pgid: ROOT, sid: ROOT, start: ROOT_START },
];

function tracker(environs: Record<number, string> = {}, table: ProcInfo[] = base) {
  const reads: number[] = [];
  const readEnviron: EnvironReader = (pid) => {
    reads.push(pid);
    const text = environs[pid];
    return Promise.resolve(text === undefined ? null : Buffer.from(text));
  };
  const t = new DescendantTracker({ pid: ROOT, start: ROOT_START }, TAG, {
    readTable: () => Promise.resolve(table),
    readEnviron,
    selfPid: SELF,
    enabled: true,
  });
  return { t, reads };
}

const pids = (t: DescendantTracker): number[] => [...t.recorded.keys()].sort((a, b) => a - b);

describe('DescendantTracker.observe', () => {
  it('follows parent chains to any depth, whatever order the table lists them in', () => {
    const { t } = tracker();
    // 103 is a child of 102, a child of 101 (setsid), a child of the root; listed youngest first.
    t.observe([...base, proc(103, 102), proc(102, 101), proc(101, ROOT), proc(200, 1)]);
    expect(pids(t)).toEqual([101, 102, 103]);
  });

  it('records members of the root session and group whose parent is gone', () => {
    const { t } = tracker();
    t.observe([
      ...base,
      proc(110, 1, { pgid: 110, sid: ROOT }), // setpgid away, orphaned, still in the session
      proc(111, 1, { pgid: ROOT, sid: ROOT }), // orphaned, still in the group
    ]);
    expect(pids(t)).toEqual([110, 111]);
  });

  it('records a process in the session of a live recorded descendant after its parent died', () => {
    const { t } = tracker();
    t.observe([...base, proc(120, ROOT), proc(121, 120, { pgid: 120, sid: 120 })]);
    // 121's parent (a short-lived helper of 120) is gone; 121 was reparented to init.
    t.observe([...base, proc(120, 1), proc(122, 1, { pgid: 120, sid: 120 })]);
    expect(pids(t)).toEqual([120, 122]);
  });

  it('never follows a link through a dead process: its number may be someone else now', () => {
    const { t } = tracker();
    t.observe([...base, proc(130, ROOT)]);
    // 130 died; 131 sits in a session numbered 130 but nothing live ties it to the root.
    t.observe([...base, proc(131, 1, { sid: 130, pgid: 130 })]);
    expect(pids(t)).toEqual([]);
  });

  it('drops a recorded pid whose start time changed (recycled) and does not return it', async () => {
    const { t } = tracker();
    t.observe([...base, proc(140, ROOT)]);
    expect(pids(t)).toEqual([140]);
    const recycled = [...base, proc(140, 1, { start: ROOT_START + 9_999 })];
    t.observe(recycled);
    expect(pids(t)).toEqual([]);
    const again = tracker({}, recycled);
    expect(await again.t.findEscaped()).toEqual([]);
  });

  it('ignores processes that started before the root, and the app and its ancestors', () => {
    const { t } = tracker();
    // A pid that claims the root as parent but started earlier cannot be its child.
    t.observe([...base, proc(150, ROOT, { start: ROOT_START - 1 })]);
    expect(pids(t)).toEqual([]);
  });

  it('is a no-op when disabled (not Linux)', async () => {
    const t = new DescendantTracker({ pid: ROOT, start: ROOT_START }, TAG, {
      readTable: () => Promise.resolve([...base, proc(160, ROOT)]),
      enabled: false,
    });
    t.observe([...base, proc(160, ROOT)]);
    await t.scan();
    expect(t.recorded.size).toBe(0);
    expect(await t.findEscaped()).toEqual([]);
  });

  it('scan survives an unreadable /proc', async () => {
    const t = new DescendantTracker({ pid: ROOT, start: ROOT_START }, TAG, {
      readTable: () => Promise.reject(new Error('EACCES')),
      enabled: true,
    });
    await expect(t.scan()).resolves.toBeUndefined();
    await expect(t.findEscaped()).resolves.toEqual([]);
  });
});

describe('DescendantTracker.findEscaped', () => {
  const tagged = `PATH=/bin\0${TAG_VARIABLE}=${TAG}\0HOME=/h\0`;

  it('returns recorded descendants outside the root group, and tagged orphans', async () => {
    const table = [
      ...base,
      proc(170, ROOT, { pgid: ROOT, sid: ROOT }), // in the group: the group signal reaches it
      proc(171, ROOT), // setsid child: escaped, leads its group
      proc(172, 171, { pgid: 171, sid: 171 }), // in 171's group
      proc(173, 1), // double-fork daemon: no ancestor left, carries the tag
      proc(174, 1), // unrelated, other tag
      proc(175, 1), // unrelated, no environ readable (another user)
    ];
    const { t } = tracker(
      { 173: tagged, 174: `${TAG_VARIABLE}=${'b'.repeat(32)}\0`, 170: tagged },
      table,
    );
    const found = await t.findEscaped();
    expect(found.sort((a, b) => a.pid - b.pid)).toEqual([
      { pid: 171, start: ROOT_START + 171, leadsGroup: true },
      { pid: 172, start: ROOT_START + 172, leadsGroup: false },
      { pid: 173, start: ROOT_START + 173, leadsGroup: true },
    ]);
    expect(pids(t)).toEqual([170, 171, 172, 173]);
  });

  it('reads no environ of processes older than the root, and never returns the app', async () => {
    const table = [...base, proc(180, 1, { start: ROOT_START - 10 })];
    const { t, reads } = tracker({ 180: tagged, [SELF]: tagged, 5: tagged }, table);
    expect(await t.findEscaped()).toEqual([]);
    expect(reads).toEqual([]);
  });

  it('merges two findings without duplicates', () => {
    const a = { pid: 1, start: 2, leadsGroup: true };
    const b = { pid: 3, start: 4, leadsGroup: false };
    expect(mergeEscapees([a, b], [{ ...a }])).toEqual([a, b]);
  });
});

describe('environHasTag', () => {
  const env = (...entries: string[]): Buffer => Buffer.from(entries.join('\0'));

  it('matches a whole entry anywhere, with or without a trailing NUL', () => {
    expect(environHasTag(env(`${TAG_VARIABLE}=${TAG}`, 'A=1'), TAG)).toBe(true);
    expect(environHasTag(env('A=1', `${TAG_VARIABLE}=${TAG}`), TAG)).toBe(true);
    expect(environHasTag(env('A=1', `${TAG_VARIABLE}=${TAG}`, ''), TAG)).toBe(true);
  });

  it('does not match a longer name, a longer value or a value of another variable', () => {
    expect(environHasTag(env(`X${TAG_VARIABLE}=${TAG}`, 'A=1'), TAG)).toBe(false);
    expect(environHasTag(env(`${TAG_VARIABLE}=${TAG}0`, 'A=1'), TAG)).toBe(false);
    expect(environHasTag(env(`A=${TAG_VARIABLE}=${TAG}`), TAG)).toBe(false);
    expect(environHasTag(Buffer.alloc(0), TAG)).toBe(false);
  });
});

describe('parseProcInfo', () => {
  const rest = (state: string): string =>
    `${state} 7 8 9 ${Array.from({ length: 15 }, (_, i) => i).join(' ')} 424242 0 0`;

  it('reads ppid, pgid, session and start time past a comm with spaces and parens', () => {
    expect(parseProcInfo(42, `42 (a) (b c) ${rest('S')}`)).toEqual({
      pid: 42,
      ppid: 7,
      pgid: 8,
      sid: 9,
      start: 424242,
    });
  });

  it('skips zombies and lines that do not parse', () => {
    expect(parseProcInfo(42, `42 (z) ${rest('Z')}`)).toBeNull();
    expect(parseProcInfo(42, 'garbage')).toBeNull();
  });
});
