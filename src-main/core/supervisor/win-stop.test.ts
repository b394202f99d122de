/**
 * The Windows stop and reclaim decisions against a simulated Windows: a process table that
 * PowerShell "lists" as wmic CSV and taskkill acts on. Real processes on Windows are in
 * win-stop.win32.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { ChildHandle, SignalReport } from './child-handle';
import { terminateChildWin } from './win-child';
import { parseDmtf } from './win-process';
import { reclaimTreeWin, stopTree, type WinIo } from './win-stop';
import { serviceSpec } from './test-fixtures/helpers';

/** A CIM DATETIME `sec` seconds after 2026-01-01 00:00 UTC (sec < 3600). */
const dmtf = (sec: number): string =>
  `20260101` +
  `00${String(Math.floor(sec / 60)).padStart(2, '0')}${String(sec % 60).padStart(2, '0')}` +
  '.000000+000';
const created = (sec: number): bigint => parseDmtf(dmtf(sec))!;
const token = (sec: number): string => `win:${created(sec)}`;

type CloseAnswer = 'console' | 'closes' | 'ignores';

/** A process table, a WMI that lists it and a taskkill that acts on it. */
class FakeWindows {
  readonly procs = new Map<number, { ppid: number; sec: number; alive: boolean }>();
  readonly calls: string[][] = [];
  closeAnswer: CloseAnswer = 'console';
  wmi = true;

  add(pid: number, ppid: number, sec: number, alive = true): this {
    this.procs.set(pid, { ppid, sec, alive });
    return this;
  }

  exit(pid: number): void {
    const p = this.procs.get(pid);
    if (p) p.alive = false;
  }

  /** taskkill /T: the process and its live descendants by parent pid (as Windows does). */
  private killTree(pid: number): void {
    this.exit(pid);
    for (const [child, p] of this.procs) if (p.alive && p.ppid === pid) this.killTree(child);
  }

  readonly io: WinIo = {
    isAlive: (pid) => this.procs.get(pid)?.alive ?? false,
    run: async (file, args) => {
      this.calls.push([file, ...args]);
      if (file === 'powershell.exe') {
        if (!this.wmi) return { exitCode: 1, stdout: '' };
        const rows = [...this.procs]
          .filter(([, p]) => p.alive)
          .map(([pid, p]) => `HOST,${dmtf(p.sec)},${p.ppid},${pid}`);
        return {
          exitCode: 0,
          stdout: ['Node,CreationDate,ParentProcessId,ProcessId', ...rows].join('\r\n'),
        };
      }
      if (file !== 'taskkill.exe') return { exitCode: null, stdout: '' };
      const pids = args.flatMap((a, i) => (args[i - 1] === '/PID' ? [Number(a)] : []));
      if (args.includes('/F') || this.closeAnswer === 'closes')
        pids.forEach((p) => this.killTree(p));
      return {
        exitCode: this.closeAnswer === 'console' && !args.includes('/F') ? 1 : 0,
        stdout: '',
      };
    },
  };

  taskkills(): string[][] {
    return this.calls.filter((c) => c[0] === 'taskkill.exe').map((c) => c.slice(1));
  }
}

/** Leader 10 (created at 100 s), child 11, grandchild 12, and a bystander 50. */
const world = (): FakeWindows =>
  new FakeWindows().add(10, 1, 100).add(11, 10, 110).add(12, 11, 120).add(50, 1, 105);

describe('stopTree', () => {
  it('console program: the close request reaches nothing, so the tree is killed without waiting', async () => {
    const w = world();
    const closes: boolean[] = [];
    const result = await stopTree(
      { pid: 10, created: created(100) },
      { graceMs: 600_000, ask: 'taskkill', leaderGone: () => !w.io.isAlive(10), leaderHeld: true },
      { onClose: (d) => closes.push(d) },
      w.io,
    );
    expect(closes).toEqual([false]);
    expect(w.taskkills()).toEqual([
      ['/T', '/PID', '10'],
      ['/F', '/T', '/PID', '10', '/PID', '11', '/PID', '12'],
    ]);
    expect(result.forced).toBe(true);
    expect([10, 11, 12].map(w.io.isAlive)).toEqual([false, false, false]);
    expect(w.io.isAlive(50)).toBe(true);
  });

  it('a program that closes on request is not killed', async () => {
    const w = world();
    w.closeAnswer = 'closes';
    const result = await stopTree(
      { pid: 10, created: created(100) },
      { graceMs: 600_000, ask: 'taskkill', leaderGone: () => !w.io.isAlive(10), leaderHeld: true },
      {},
      w.io,
    );
    expect(w.taskkills()).toEqual([['/T', '/PID', '10']]);
    expect(result.forced).toBe(false);
  });

  it('a request accepted but not acted on: the grace time, then /F', async () => {
    const w = world();
    w.closeAnswer = 'ignores';
    const closes: boolean[] = [];
    const result = await stopTree(
      { pid: 10, created: created(100) },
      { graceMs: 100, ask: 'taskkill', leaderGone: () => !w.io.isAlive(10), leaderHeld: true },
      { onClose: (d) => closes.push(d) },
      w.io,
    );
    expect(closes).toEqual([true]);
    expect(w.taskkills().at(-1)).toEqual(['/F', '/T', '/PID', '10', '/PID', '11', '/PID', '12']);
    expect(result.forced).toBe(true);
  });

  it('after a stdin stop message no taskkill asks; what the leader leaves behind is killed', async () => {
    const w = world();
    setTimeout(() => w.exit(10), 20); // the service obeys its stop message; its helpers do not
    const result = await stopTree(
      { pid: 10, created: created(100) },
      { graceMs: 300, ask: 'none', leaderGone: () => !w.io.isAlive(10), leaderHeld: true },
      {},
      w.io,
    );
    expect(w.taskkills()).toEqual([['/F', '/T', '/PID', '11', '/PID', '12']]);
    expect(result.forced).toBe(false);
  });

  it('without WMI only the leader whose handle we hold is killed', async () => {
    const w = world();
    w.wmi = false;
    await stopTree(
      { pid: 10, created: null },
      { graceMs: 0, ask: 'taskkill', leaderGone: () => !w.io.isAlive(10), leaderHeld: true },
      {},
      w.io,
    );
    expect(w.taskkills().at(-1)).toEqual(['/F', '/T', '/PID', '10']);
  });
});

describe('reclaimTreeWin', () => {
  it('a pid now used by another process is never touched', async () => {
    const w = new FakeWindows().add(10, 1, 300).add(13, 10, 310);
    expect(await reclaimTreeWin({ pid: 10, startTime: token(100) }, 50, w.io)).toBe('recycled');
    expect(w.taskkills()).toEqual([]);
    expect(w.io.isAlive(10) && w.io.isAlive(13)).toBe(true);
  });

  it("kills the tree of a leader that is gone, and nothing that only shares its parent's pid", async () => {
    const w = new FakeWindows()
      .add(10, 1, 100, false)
      .add(11, 10, 110)
      .add(12, 11, 120)
      .add(9, 10, 90); // older than our leader: another process's child
    expect(await reclaimTreeWin({ pid: 10, startTime: token(100) }, 50, w.io)).toBe('killed');
    expect(w.taskkills()).toEqual([['/F', '/T', '/PID', '11', '/PID', '12']]);
    expect(w.io.isAlive(9)).toBe(true);
  });

  it('an orphan still running is asked, then killed with its tree', async () => {
    const w = world();
    expect(await reclaimTreeWin({ pid: 10, startTime: token(100) }, 50, w.io)).toBe('killed');
    expect(w.taskkills()).toEqual([
      ['/T', '/PID', '10'],
      ['/F', '/T', '/PID', '10', '/PID', '11', '/PID', '12'],
    ]);
  });

  it('gone, not Windows, or unprovable: nothing is killed', async () => {
    const gone = new FakeWindows().add(50, 1, 105);
    expect(await reclaimTreeWin({ pid: 10, startTime: token(100) }, 50, gone.io)).toBe('stale');
    const linux = world();
    expect(await reclaimTreeWin({ pid: 10, startTime: 'b00t:12345' }, 50, linux.io)).toBe('stale');
    const noWmi = world();
    noWmi.wmi = false;
    expect(await reclaimTreeWin({ pid: 10, startTime: token(100) }, 50, noWmi.io)).toBeNull();
    expect([...gone.taskkills(), ...linux.taskkills(), ...noWmi.taskkills()]).toEqual([]);
  });
});

describe('terminateChildWin', () => {
  it('a stdin stop message: written, reported, no close request; helpers left are killed', async () => {
    const w = world();
    const written: string[] = [];
    let resolveExited: () => void = () => undefined;
    const child = {
      pid: 10,
      spec: serviceSpec('svc', [], {
        stop: { kind: 'stdin', message: 'shutdown', graceMs: 300 },
      }),
      proc: {
        stdin: {
          write: (s: string) => {
            written.push(s);
            setTimeout(() => {
              w.exit(10);
              child.exit = { code: 0, signal: null };
              resolveExited();
            }, 20);
          },
          end: () => undefined,
        },
      },
      exit: null as ChildHandle['exit'],
      exited: new Promise<void>((r) => (resolveExited = r)),
      pidFile: Promise.resolve(null),
      descendants: { unwatch: () => undefined },
    };
    const reports: SignalReport[] = [];
    const forced = await terminateChildWin(
      child as unknown as ChildHandle,
      '/nonexistent-run-dir',
      (r) => reports.push(r),
      w.io,
    );
    expect(written).toEqual(['shutdown\n']);
    expect(forced).toBe(false);
    expect(reports.map((r) => r.signal)).toEqual(['stdin', 'SIGKILL']);
    expect(reports[1]!.what).toBe(
      'taskkill /F /T to 2 processes pid 10 started: it had exited, they were still running',
    );
    expect(w.taskkills()).toEqual([['/F', '/T', '/PID', '11', '/PID', '12']]);
  });
});
