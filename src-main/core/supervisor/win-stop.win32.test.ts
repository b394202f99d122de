/**
 * Windows only, with real processes: Stop takes the service and the process it started,
 * reclaim takes a tree whose leader is gone, identities come from WMI, the instance lock works
 * through them, and usage is read. Runs in the desktop workflow's Windows job; skipped
 * elsewhere (the decisions are covered everywhere by win-stop.test.ts).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InstanceLockedError, acquireInstanceLock } from '../instance-lock';
import { spawnChild, terminateChild, type SignalReport } from './child-handle';
import {
  pidFilePath,
  readPidFile,
  readProcessStartTime,
  reclaimOrphans,
  writePidFile,
} from './pid-file';
import { winGroupReader } from './resource-usage';
import {
  alive,
  cleanup,
  eventually,
  fixture,
  makeTempDir,
  serviceSpec,
  tracker,
  type Tracker,
} from './test-fixtures/helpers';

let t: Tracker;
let runDir: string;

beforeEach(async () => {
  t = tracker();
  runDir = await makeTempDir(t);
});
afterEach(() => cleanup(t));

describe.runIf(process.platform === 'win32')('Windows processes (real)', () => {
  it('Stop ends the service and the process it started; the pid file holds a win: start time', async () => {
    let out = '';
    const spec = serviceSpec('tree', [], {
      command: process.execPath,
      args: [fixture('tree-parent.mjs')],
      stop: { kind: 'signal', signal: 'SIGTERM', graceMs: 2_000 },
    });
    const child = await spawnChild(
      { ...spec, command: process.execPath },
      {},
      {
        runDir,
        now: Date.now,
        onOutput: (_stream, chunk) => (out += chunk.toString()),
        onExit: () => undefined,
      },
    );
    if ('error' in child) throw new Error(child.error);
    t.pids.push(child.pid);
    await eventually(() => /^\d+\s*$/m.test(out), 'the grandchild pid', 15_000);
    const grandchild = Number(out.trim());
    t.pids.push(grandchild);
    await child.pidFile;
    const record = await readPidFile(pidFilePath(runDir, 'tree'));
    expect(record?.startTime).toMatch(/^win:\d+$/);
    expect(alive(child.pid) && alive(grandchild)).toBe(true);

    const reports: SignalReport[] = [];
    await terminateChild(child, runDir, (r) => reports.push(r));

    expect(alive(child.pid)).toBe(false);
    expect(alive(grandchild)).toBe(false);
    expect(reports.map((r) => r.signal)).toContain('SIGKILL');
    expect(existsSync(pidFilePath(runDir, 'tree'))).toBe(false);
  }, 60_000);

  it('reclaim kills the tree of a dead app even when its leader is gone', async () => {
    const leader = spawn(process.execPath, [fixture('tree-parent.mjs')], {
      stdio: ['ignore', 'pipe', 'ignore'],
      windowsHide: true,
    });
    t.pids.push(leader.pid!);
    const line = await new Promise<string>((resolve) =>
      leader.stdout!.once('data', (b: Buffer) => resolve(b.toString())),
    );
    const grandchild = Number(line.trim());
    t.pids.push(grandchild);
    await writePidFile(runDir, {
      pid: leader.pid!,
      name: 'orphan',
      command: [process.execPath],
      owner: { pid: 999_999, startTime: 'win:1' }, // an app that is gone
    });
    leader.kill(); // TerminateProcess of the leader alone: the grandchild lives on
    await eventually(() => !alive(leader.pid!), 'the leader to end');
    expect(alive(grandchild)).toBe(true);

    const results = await reclaimOrphans(runDir, { graceMs: 1_000 });

    expect(results).toEqual([{ name: 'orphan', pid: leader.pid, action: 'killed' }]);
    await eventually(() => !alive(grandchild), 'the grandchild to be gone');
  }, 60_000);

  it('identity from WMI is stable, and the instance lock works through it', async () => {
    const first = await readProcessStartTime(process.pid);
    expect(first).toMatch(/^win:\d+$/);
    expect(await readProcessStartTime(process.pid)).toBe(first);
    const lock = await acquireInstanceLock({ userDataDir: runDir, host: 'browser' });
    try {
      await expect(acquireInstanceLock({ userDataDir: runDir, host: 'browser' })).rejects.toThrow(
        InstanceLockedError,
      );
    } finally {
      await lock.release();
    }
  }, 60_000);

  it('usage counts the service and its helper', async () => {
    const leader = spawn(process.execPath, [fixture('tree-parent.mjs')], {
      stdio: ['ignore', 'pipe', 'ignore'],
      windowsHide: true,
    });
    t.pids.push(leader.pid!);
    const line = await new Promise<string>((resolve) =>
      leader.stdout!.once('data', (b: Buffer) => resolve(b.toString())),
    );
    t.pids.push(Number(line.trim()));
    const usage = (await winGroupReader()([leader.pid!])).get(leader.pid!);
    expect(usage?.processes).toBe(2);
    expect(usage?.rssBytes).toBeGreaterThan(0);
  }, 60_000);
});
