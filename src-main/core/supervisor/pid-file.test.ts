import { spawn } from 'node:child_process';
import { readdir, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  pidFilePath,
  readPidFile,
  readProcessStartTime,
  reclaimOrphans,
  writePidFile,
} from './pid-file';
import { Supervisor } from './supervisor';
import {
  alive,
  cleanup,
  eventually,
  fixture,
  makeTempDir,
  serviceSpec,
  spawnFixture,
  tracker,
  type Tracker,
} from './test-fixtures/helpers';

let t: Tracker;
let runDir: string;

beforeEach(async () => {
  t = tracker();
  runDir = await makeTempDir(t);
});

afterEach(async () => {
  await cleanup(t);
});

describe('pid files', () => {
  it('records pid, OS start time, name and command', async () => {
    const { child } = await spawnFixture(t, 'sleeper.mjs', []);
    const written = await writePidFile(runDir, {
      pid: child.pid!,
      name: 'svc',
      command: ['node', 'x'],
    });
    const read = await readPidFile(pidFilePath(runDir, 'svc'));
    expect(read).toEqual(written);
    expect(read!.startTime).toBe(await readProcessStartTime(child.pid!));
  });

  it('gives no start time for a process that is gone', async () => {
    const child = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => child.once('exit', r));
    await eventually(() => !alive(child.pid!), 'exit reaped');
    expect(await readProcessStartTime(child.pid!)).toBeNull();
  });
});

describe('reclaimOrphans', () => {
  it('kills the detached child left by a supervisor that was SIGKILLed', async () => {
    const { child: parent, firstLine } = await spawnFixture(t, 'orphan-parent.mjs', [
      runDir,
      'agent-runner',
      fixture('sleeper.mjs'),
    ]);
    const orphan = Number(firstLine.split(' ')[1]);
    t.pids.push(orphan);
    // While its supervisor lives the child is not an orphan: reclaim must not touch it.
    expect(await reclaimOrphans(runDir, { graceMs: 200 })).toEqual([
      { name: 'agent-runner', pid: orphan, action: 'owned' },
    ]);
    expect(alive(orphan)).toBe(true);
    parent.kill('SIGKILL');
    await new Promise((r) => parent.once('exit', r));
    expect(alive(orphan)).toBe(true); // detached: it outlived its supervisor
    const results = await reclaimOrphans(runDir, { graceMs: 2_000 });
    expect(results).toEqual([{ name: 'agent-runner', pid: orphan, action: 'killed' }]);
    expect(alive(orphan)).toBe(false);
    expect(await readdir(runDir)).toEqual([]);
  });

  it('kills an orphan whose owner (the app that spawned it) is dead', async () => {
    const { child: owner } = await spawnFixture(t, 'sleeper.mjs', []);
    const ownerIdentity = { pid: owner.pid!, startTime: (await readProcessStartTime(owner.pid!))! };
    const { child } = await spawnFixture(t, 'sleeper.mjs', [], { detached: true });
    await writePidFile(runDir, {
      pid: child.pid!,
      name: 'stigmer-server',
      command: ['node'],
      owner: ownerIdentity,
    });
    owner.kill('SIGKILL');
    await new Promise((r) => owner.once('exit', r));
    await eventually(() => !alive(owner.pid!), 'owner reaped');
    const results = await reclaimOrphans(runDir);
    expect(results).toEqual([{ name: 'stigmer-server', pid: child.pid, action: 'killed' }]);
    expect(alive(child.pid!)).toBe(false);
    expect(await readdir(runDir)).toEqual([]);
  });

  it('leaves a child alone while its owner is alive (another instance on the same dir)', async () => {
    const { child: owner } = await spawnFixture(t, 'sleeper.mjs', []);
    const ownerIdentity = { pid: owner.pid!, startTime: (await readProcessStartTime(owner.pid!))! };
    const { child } = await spawnFixture(t, 'sleeper.mjs', [], { detached: true });
    await writePidFile(runDir, {
      pid: child.pid!,
      name: 'agent-runner',
      command: ['node'],
      owner: ownerIdentity,
    });
    const results = await reclaimOrphans(runDir, { graceMs: 200 });
    expect(results).toEqual([{ name: 'agent-runner', pid: child.pid, action: 'owned' }]);
    expect(alive(child.pid!)).toBe(true);
    expect(await readPidFile(pidFilePath(runDir, 'agent-runner'))).toMatchObject({
      pid: child.pid,
      owner: ownerIdentity,
    });
  });

  it('reclaims when the owner pid now belongs to another process (start time differs)', async () => {
    const { child: innocent } = await spawnFixture(t, 'sleeper.mjs', []);
    const { child } = await spawnFixture(t, 'sleeper.mjs', [], { detached: true });
    await writePidFile(runDir, {
      pid: child.pid!,
      name: 'temporal',
      command: ['node'],
      owner: { pid: innocent.pid!, startTime: 'another-boot:1' },
    });
    const results = await reclaimOrphans(runDir);
    expect(results).toEqual([{ name: 'temporal', pid: child.pid, action: 'killed' }]);
    expect(alive(child.pid!)).toBe(false);
    expect(alive(innocent.pid!)).toBe(true);
  });

  it('records the writing process as owner by default, so its live children are not orphans', async () => {
    const { child } = await spawnFixture(t, 'sleeper.mjs', [], { detached: true });
    const written = await writePidFile(runDir, { pid: child.pid!, name: 'svc', command: ['n'] });
    expect(written!.owner).toEqual({
      pid: process.pid,
      startTime: await readProcessStartTime(process.pid),
    });
    expect(await reclaimOrphans(runDir)).toEqual([
      { name: 'svc', pid: child.pid, action: 'owned' },
    ]);
    expect(alive(child.pid!)).toBe(true);
  });

  it('never kills a recycled pid (same pid, other start time)', async () => {
    const { child } = await spawnFixture(t, 'sleeper.mjs', [], { detached: true });
    const file = pidFilePath(runDir, 'temporal');
    const record = {
      pid: child.pid,
      startTime: 'some-other-boot:12345',
      name: 'temporal',
      command: ['temporal'],
      writtenAt: 1,
    };
    await writeFile(file, JSON.stringify(record));
    const results = await reclaimOrphans(runDir, { graceMs: 200 });
    expect(results).toEqual([{ name: 'temporal', pid: child.pid, action: 'recycled' }]);
    expect(alive(child.pid!)).toBe(true);
    expect(await readdir(runDir)).toEqual([]);
  });

  it('drops files of processes that are gone, and unreadable files', async () => {
    const child = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => child.once('exit', r));
    await writeFile(
      pidFilePath(runDir, 'old'),
      JSON.stringify({ pid: child.pid, startTime: 'x', name: 'old', command: [], writtenAt: 1 }),
    );
    await writeFile(pidFilePath(runDir, 'junk'), 'not json');
    const results = await reclaimOrphans(runDir);
    expect(results).toEqual([
      { name: 'junk', pid: null, action: 'stale' },
      { name: 'old', pid: child.pid, action: 'stale' },
    ]);
    expect(await readdir(runDir)).toEqual([]);
  });

  it('Supervisor.reclaimOrphans leaves its own live children alone', async () => {
    const sup = new Supervisor({ runDir });
    sup.setSpec({ services: [serviceSpec('mine', [])] });
    try {
      await sup.startAll();
      const pid = sup.statuses()[0]!.pid!;
      t.pids.push(pid);
      expect(await sup.reclaimOrphans()).toEqual([]);
      expect(alive(pid)).toBe(true);
      expect(await readPidFile(pidFilePath(runDir, 'mine'))).toMatchObject({ pid });
    } finally {
      await sup.dispose();
    }
  });
});
