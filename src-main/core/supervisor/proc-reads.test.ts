import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cachedProcTableReader } from './proc-table-cache';
import { procGroupReader } from './resource-usage';
import { cleanup, makeTempDir, tracker, type Tracker } from './test-fixtures/helpers';

let t: Tracker;
beforeEach(() => {
  t = tracker();
});
afterEach(() => cleanup(t));

/** A /proc/<pid>/stat line: parent, group, session, CPU ticks, start ticks, rss pages. */
function stat(
  pid: number,
  o: { ppid?: number; pgrp: number; sid?: number; ticks?: number; start?: number; rss?: number },
): string {
  // After "(comm)": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime
  // stime cutime cstime priority nice threads itreal starttime vsize rss ...
  const f = ['S', o.ppid ?? 1, o.pgrp, o.sid ?? o.pgrp, 0, -1, 0, 0, 0, 0, 0, o.ticks ?? 0, 0];
  f.push(0, 0, 20, 0, 1, 0, o.start ?? 1000, 4096, o.rss ?? 10, 0);
  return `${pid} (p${pid}) ${f.join(' ')}\n`;
}

async function fakeProc(files: Record<number, string>): Promise<string> {
  const root = await makeTempDir(t);
  for (const [pid, line] of Object.entries(files)) await setStat(root, Number(pid), line);
  return root;
}

async function setStat(root: string, pid: number, line: string): Promise<void> {
  await mkdir(join(root, `${pid}`), { recursive: true });
  await writeFile(join(root, `${pid}`, 'stat'), line);
}

/** Makes a pid's stat unreadable (a directory: reading it fails with EISDIR, not "vanished"). */
async function poison(root: string, pid: number): Promise<void> {
  await rm(join(root, `${pid}`, 'stat'));
  await mkdir(join(root, `${pid}`, 'stat'));
}

const constants = { ticksPerSecond: 100, pageSize: 4096 };

describe('procGroupReader reads only the asked groups after the first listing', () => {
  it('re-reads members, never others, counts a new member and drops one that left', async () => {
    const root = await fakeProc({
      100: stat(100, { pgrp: 100, ticks: 100 }),
      200: stat(200, { pgrp: 200, ticks: 5 }),
    });
    const reader = procGroupReader(root, constants);
    expect((await reader([100])).get(100)).toMatchObject({ cpuMs: 1000, processes: 1 });

    // Were 200's stat read again, the sample would reject: it is not in an asked group.
    await poison(root, 200);
    await setStat(root, 100, stat(100, { pgrp: 100, ticks: 300 }));
    await setStat(root, 101, stat(101, { ppid: 100, pgrp: 100, ticks: 50 }));
    expect((await reader([100])).get(100)).toMatchObject({ cpuMs: 3500, processes: 2 });

    // 101 moved to a group of its own (setpgid): its fresh line says so and it no longer counts.
    await setStat(root, 101, stat(101, { ppid: 100, pgrp: 101, ticks: 60 }));
    expect((await reader([100])).get(100)).toMatchObject({ cpuMs: 3000, processes: 1 });
    await expect(procGroupReader(root, constants)([100])).rejects.toThrow();
  });
});

describe('cachedProcTableReader', () => {
  it('reads each pid once, adds new pids and forgets gone ones', async () => {
    const root = await fakeProc({
      100: stat(100, { ppid: 1, pgrp: 100, start: 500 }),
      200: stat(200, { ppid: 100, pgrp: 200, sid: 200, start: 600 }),
    });
    const read = cachedProcTableReader(root);
    const pids = async () => (await read()).map((p) => p.pid).sort((a, b) => a - b);
    expect(await read()).toEqual(
      expect.arrayContaining([
        { pid: 100, ppid: 1, pgid: 100, sid: 100, start: 500 },
        { pid: 200, ppid: 100, pgid: 200, sid: 200, start: 600 },
      ]),
    );

    // Known pids are not read again (a poisoned stat would make a fresh read fail).
    await poison(root, 200);
    await setStat(root, 300, stat(300, { ppid: 200, pgrp: 200, sid: 200, start: 700 }));
    await rm(join(root, '100'), { recursive: true });
    expect(await pids()).toEqual([200, 300]);
    expect((await read()).find((p) => p.pid === 300)).toMatchObject({ ppid: 200, start: 700 });
  });

  it('says which folder it could not list', async () => {
    const missing = join(await makeTempDir(t), 'no-proc');
    await expect(cachedProcTableReader(missing)()).rejects.toThrow(
      `Cannot list processes in ${missing}`,
    );
  });
});
