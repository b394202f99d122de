/**
 * The Windows parsers and command lines, run anywhere (pure functions, a fake runner).
 *
 * Output samples are real Win32_Process values as published with public parsers of them:
 * - soyuka/pidusage lib/wmic.js documents this row of `wmic PROCESS get CreationDate,
 *   KernelModeTime,ParentProcessId,ProcessId,UserModeTime,WorkingSetSize` on Windows 10:
 *   `20150329221650.080654+060  153750000  0  777  8556250000  110821376` (here in the
 *   /format:csv form our script and wmic print: `Node,` first, fields in alphabetical order).
 * - The Idle process (pid 0) has an empty CreationDate and KernelModeTime 199884687500 in a
 *   Windows Server 2012 R2 `Get-WmiObject -Class Win32_Process` listing (In3x0rabl3/OSEP,
 *   Powershell/33-Using-WMI-in-Powershell-Part-2.md).
 * - wmic writes "\r\r\n" line ends and a blank first line; offsets like -240 and +120 are
 *   minutes east of UTC (pidusage's parseDate reads them the same way).
 */
import { describe, expect, it } from 'vitest';
import { winGroupReader } from './resource-usage';
import {
  parseDmtf,
  parseStartTimeToken,
  parseWin32ProcessCsv,
  powershellArgs,
  queryProcesses,
  startTimeToken,
  taskkillArgs,
  treeOf,
  winStartTime,
  wmicArgs,
  type CommandResult,
  type WinProcess,
} from './win-process';

const EPOCH_1601_MS = 11_644_473_600_000n;
const micros = (isoUtc: string, extraMicros: number): bigint =>
  (BigInt(Date.parse(isoUtc)) + EPOCH_1601_MS) * 1000n + BigInt(extraMicros);

const WMIC_USAGE_CSV =
  '\r\r\n' +
  'Node,CreationDate,KernelModeTime,ParentProcessId,ProcessId,UserModeTime,WorkingSetSize\r\r\n' +
  'DESKTOP-7Q2,,199884687500,0,0,0,8192\r\r\n' +
  'DESKTOP-7Q2,20150329221650.080654+060,153750000,0,777,8556250000,110821376\r\r\n' +
  'DESKTOP-7Q2,20150329221712.500000+060,1250000,777,912,3750000,20480000\r\r\n';

describe('parseDmtf', () => {
  it('reads a CIM DATETIME with its offset (minutes east of UTC) as µs since 1601 UTC', () => {
    // 22:16:50 at +60 min is 21:16:50 UTC.
    expect(parseDmtf('20150329221650.080654+060')).toBe(micros('2015-03-29T21:16:50Z', 80_654));
    // 04:33:33 at -240 min is 08:33:33 UTC.
    expect(parseDmtf('20260802043333.860108-240')).toBe(micros('2026-08-02T08:33:33Z', 860_108));
  });

  it('gives the same value for one instant written in two time zones', () => {
    expect(parseDmtf('20260929204356.000000+120')).toBe(parseDmtf('20260929184356.000000+000'));
  });

  it('refuses what is not a full CIM DATETIME', () => {
    for (const bad of [
      '',
      '20150329221650',
      '20150329221650.080654',
      'x0150329221650.080654+060',
    ]) {
      expect(parseDmtf(bad)).toBeNull();
    }
  });

  it('round-trips through the pid-file token', () => {
    const created = parseDmtf('20150329221650.080654+060')!;
    expect(startTimeToken(created)).toMatch(/^win:\d+$/);
    expect(parseStartTimeToken(startTimeToken(created))).toBe(created);
    expect(parseStartTimeToken('Sat Nov 28 23:09:17 2026')).toBeNull(); // a macOS start time
  });
});

describe('parseWin32ProcessCsv', () => {
  it('reads wmic /format:csv output, columns found by name, CPU in ms, Idle without a date', () => {
    const rows = parseWin32ProcessCsv(WMIC_USAGE_CSV)!;
    expect(rows.map((r) => [r.pid, r.ppid])).toEqual([
      [0, 0],
      [777, 0],
      [912, 777],
    ]);
    expect(rows[0]!.created).toBeNull();
    expect(rows[1]).toEqual({
      pid: 777,
      ppid: 0,
      created: micros('2015-03-29T21:16:50Z', 80_654),
      workingSetBytes: 110_821_376,
      cpuMs: (153_750_000 + 8_556_250_000) / 10_000,
    });
  });

  it('reads the short form (identity only) and skips localised notices', () => {
    const out =
      'Node,CreationDate,ParentProcessId,ProcessId\n' +
      'HOST,20260929204356.000000+120,100,4242\n' +
      'No Instance(s) Available.\n';
    expect(parseWin32ProcessCsv(out)).toEqual([
      { pid: 4242, ppid: 100, created: parseDmtf('20260929204356.000000+120') },
    ]);
  });

  it('returns null for output without the header (an error text, a table format)', () => {
    expect(parseWin32ProcessCsv('')).toBeNull();
    expect(parseWin32ProcessCsv('CreationDate  ProcessId\r\n20150329221650.080654+060  777')).toBe(
      null,
    );
  });
});

describe('command lines (argv arrays, no shell)', () => {
  it('PowerShell prints the wmic header, filters by an integer pid only', () => {
    const args = powershellArgs({ pid: 777 });
    expect(args.slice(0, -1)).toEqual([
      '-NoLogo',
      '-NoProfile',
      '-NonInteractive',
      '-ExecutionPolicy',
      'Bypass',
      '-Command',
    ]);
    const script = args.at(-1)!;
    expect(script).toContain("'Node,CreationDate,ParentProcessId,ProcessId';");
    expect(script).toContain("-Filter 'ProcessId=777'");
    expect(script).toContain('ToDmtfDateTime');
    expect(script).not.toContain('"'); // Windows argv quoting would have to escape it
    expect(powershellArgs({ usage: true }).at(-1)).toContain(
      "'Node,CreationDate,KernelModeTime,ParentProcessId,ProcessId,UserModeTime,WorkingSetSize';",
    );
    expect(() => powershellArgs({ pid: Number('1; Stop-Computer') })).toThrow(/Not a process id/);
    expect(() => powershellArgs({ pid: 1.5 })).toThrow(/Not a process id/);
  });

  it('wmic asks for the same fields', () => {
    expect(wmicArgs({ pid: 9 })).toEqual([
      'process',
      'where',
      'ProcessId=9',
      'get',
      'CreationDate,ParentProcessId,ProcessId',
      '/format:csv',
    ]);
  });

  it('taskkill: /T always, /F only to force, never pids 0-4', () => {
    expect(taskkillArgs([777], { force: false })).toEqual(['/T', '/PID', '777']);
    expect(taskkillArgs([777, 4, 0, 912], { force: true })).toEqual([
      '/F',
      '/T',
      '/PID',
      '777',
      '/PID',
      '912',
    ]);
  });
});

const proc = (pid: number, ppid: number, created: number): WinProcess => ({
  pid,
  ppid,
  created: BigInt(created),
});

describe('treeOf', () => {
  it('follows ParentProcessId through children and grandchildren', () => {
    const table = [proc(10, 1, 100), proc(11, 10, 110), proc(12, 11, 120), proc(50, 1, 105)];
    expect(treeOf(table, { pid: 10, created: 100n }).map((p) => p.pid)).toEqual([11, 12]);
  });

  it('finds the tree of a leader that is gone (children keep its pid as parent)', () => {
    const table = [proc(11, 10, 110), proc(12, 11, 120), proc(50, 1, 105)];
    expect(treeOf(table, { pid: 10, created: 100n }).map((p) => p.pid)).toEqual([11, 12]);
  });

  it('never takes a reused parent pid for ours', () => {
    // Leader 10 (created 100) died; pid 10 now belongs to an unrelated process created at 300.
    const table = [proc(10, 1, 300), proc(11, 10, 110), proc(13, 10, 310), proc(9, 10, 90)];
    // 11: created between the leader and the newcomer: ours. 13: the newcomer's child.
    // 9: older than our leader, so its parent was an earlier process with pid 10.
    expect(treeOf(table, { pid: 10, created: 100n }).map((p) => p.pid)).toEqual([11]);
  });
});

describe('queryProcesses / winStartTime with a fake runner', () => {
  const runner = (answers: Record<string, CommandResult>) => {
    const calls: string[] = [];
    const run = async (file: string): Promise<CommandResult> => {
      calls.push(file);
      return answers[file] ?? { exitCode: null, stdout: '' };
    };
    return { run, calls };
  };
  const one =
    'Node,CreationDate,ParentProcessId,ProcessId\r\n.,20150329221650.080654+060,0,777\r\n';

  it('uses PowerShell when it answers', async () => {
    const { run, calls } = runner({ 'powershell.exe': { exitCode: 0, stdout: one } });
    expect(await winStartTime(777, run)).toBe(
      startTimeToken(micros('2015-03-29T21:16:50Z', 80_654)),
    );
    expect(calls).toEqual(['powershell.exe']);
  });

  it('falls back to wmic, and says null when neither answers', async () => {
    const fallback = runner({
      'powershell.exe': { exitCode: 1, stdout: '' },
      'wmic.exe': { exitCode: 0, stdout: `\r\r\n${one}` },
    });
    expect((await queryProcesses({}, fallback.run))?.map((p) => p.pid)).toEqual([777]);
    expect(fallback.calls).toEqual(['powershell.exe', 'wmic.exe']);
    const none = runner({});
    expect(await queryProcesses({}, none.run)).toBeNull();
    expect(await winStartTime(777, none.run)).toBeNull();
  });

  it('a pid that does not exist is gone, not an error', async () => {
    const { run } = runner({
      'powershell.exe': { exitCode: 0, stdout: 'Node,CreationDate,ParentProcessId,ProcessId\r\n' },
    });
    expect(await queryProcesses({ pid: 5 }, run)).toEqual([]);
    expect(await winStartTime(5, run)).toBeNull();
  });
});

describe('winGroupReader (usage on Windows)', () => {
  it('sums a leader and its descendants from one query', async () => {
    const calls: string[] = [];
    const read = winGroupReader(async (file, args) => {
      calls.push(`${file} ${args.at(-1)?.includes('WorkingSetSize') ? 'usage' : 'identity'}`);
      return { exitCode: 0, stdout: WMIC_USAGE_CSV };
    });
    const usage = await read([777, 31337]);
    expect(calls).toEqual(['powershell.exe usage']);
    expect([...usage.keys()]).toEqual([777]); // 31337 does not run: absent, not zero
    expect(usage.get(777)).toMatchObject({
      processes: 2,
      rssBytes: 110_821_376 + 20_480_000,
      cpuMs: (153_750_000 + 8_556_250_000 + 1_250_000 + 3_750_000) / 10_000,
    });
  });

  it('says what to check when neither PowerShell nor wmic answers', async () => {
    const read = winGroupReader(async () => ({ exitCode: null, stdout: '' }));
    await expect(read([777])).rejects.toThrow(/powershell\.exe is installed and not blocked/);
  });
});
