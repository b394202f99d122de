/**
 * Windows process facts for the supervisor: there are no process groups, no signals and no
 * /proc or ps, so identity, trees and usage come from one WMI query (Win32_Process) and stops
 * from taskkill.
 *
 * - Identity: pid + CreationDate. Windows reuses pids quickly, so a pid alone never names a
 *   process; CreationDate has microsecond precision and is stored as `win:<µs since 1601 UTC>`.
 * - Tree: ParentProcessId links. Windows never reparents, so a child keeps pointing at its dead
 *   parent's pid, which may be reused; a link counts only when the child was created after its
 *   parent (see treeOf). That is what lets reclaim kill a tree whose leader is gone.
 * - Source: Windows PowerShell's Get-CimInstance, printing the very CSV that
 *   `wmic process get ... /format:csv` prints (so one parser serves both), and wmic as the
 *   fallback where PowerShell is blocked (wmic is itself gone from Windows 11 24H2 by default).
 *   The script-prints-wmic-CSV idea follows x4-forge's e2e process-table adapter (`Get-CimInstance
 *   ... ToDmtfDateTime`); sample rows in the tests come from public parsers of real wmic output.
 *
 * Every command is an argv array run without a shell, hidden (windowsHide) and with a timeout.
 * The script holds no double quotes: Windows command-line quoting would have to escape them.
 */
import { execa } from 'execa';

/** One row of Win32_Process. `created` is null for the Idle and System processes. */
export interface WinProcess {
  pid: number;
  ppid: number;
  /** CreationDate in µs since 1601-01-01 UTC (the FILETIME epoch). */
  created: bigint | null;
  /** WorkingSetSize (bytes), when asked for. */
  workingSetBytes?: number;
  /** KernelModeTime + UserModeTime (100 ns units) in ms, when asked for. */
  cpuMs?: number;
}

/** What a command printed and how it ended (null exit code: it could not run, or timed out). */
export interface CommandResult {
  exitCode: number | null;
  stdout: string;
}

/** Runs a program (never through a shell); tests pass fakes. */
export type WinCommandRunner = (file: string, args: readonly string[]) => Promise<CommandResult>;

/** PowerShell's cold start can take seconds on a busy machine; a hung WMI must not hang a stop. */
export const WIN_COMMAND_TIMEOUT_MS = 15_000;

/** The real runner: hidden, no shell, bounded in time. */
export const defaultWinRunner: WinCommandRunner = async (file, args) => {
  const result = await execa(file, [...args], {
    reject: false,
    timeout: WIN_COMMAND_TIMEOUT_MS,
    windowsHide: true,
    stdin: 'ignore',
  });
  const stdout = typeof result.stdout === 'string' ? result.stdout : '';
  return {
    exitCode: result.failed && result.exitCode === undefined ? null : (result.exitCode ?? null),
    stdout,
  };
};

const EPOCH_1601_TO_1970_MS = 11_644_473_600_000;

/**
 * A CIM DATETIME (`yyyymmddHHMMSS.mmmmmmsUUU`, UUU = minutes east of UTC), as wmic prints
 * CreationDate, in µs since 1601-01-01 UTC; null if it does not parse.
 */
export function parseDmtf(text: string): bigint | null {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})\.(\d{6})([+-])(\d{3})$/.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, micros, sign, offset] = m as unknown as string[];
  const localMs = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (!Number.isFinite(localMs)) return null;
  const utcMs = localMs - (sign === '-' ? -1 : 1) * Number(offset) * 60_000;
  return BigInt(utcMs + EPOCH_1601_TO_1970_MS) * 1000n + BigInt(Number(micros));
}

/** The pid-file start time of a Windows process: `win:<µs since 1601 UTC>`. */
export function startTimeToken(created: bigint): string {
  return `win:${created}`;
}

/** The creation time in a `win:` start time token, or null if it is not one. */
export function parseStartTimeToken(token: string): bigint | null {
  const m = /^win:(\d+)$/.exec(token);
  return m ? BigInt(m[1]!) : null;
}

/**
 * Parse `wmic process get <fields> /format:csv` output (and our PowerShell script's, which
 * prints the same): a `Node,<fields>` header, then one row per process. Columns are found by
 * name (wmic sorts them alphabetically). wmic ends lines with "\r\r\n" and may print a blank
 * line first. Returns null when there is no header (the output is not what we asked for).
 */
export function parseWin32ProcessCsv(stdout: string): WinProcess[] | null {
  const lines = stdout
    .split(/\r*\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  const at = lines.findIndex((l) => /^Node,/i.test(l));
  if (at < 0) return null;
  const header = lines[at]!.split(',').map((h) => h.trim().toLowerCase());
  const col = (name: string): number => header.indexOf(name.toLowerCase());
  const [iPid, iPpid, iCreated] = [col('ProcessId'), col('ParentProcessId'), col('CreationDate')];
  const [iWs, iKernel, iUser] = [col('WorkingSetSize'), col('KernelModeTime'), col('UserModeTime')];
  if (iPid < 0 || iPpid < 0 || iCreated < 0) return null;
  const out: WinProcess[] = [];
  for (const line of lines.slice(at + 1)) {
    const cells = line.split(',');
    if (cells.length !== header.length) continue; // a localised notice, not a row
    const pid = Number(cells[iPid]);
    const ppid = Number(cells[iPpid]);
    if (!Number.isInteger(pid) || !Number.isInteger(ppid) || pid < 0) continue;
    const row: WinProcess = { pid, ppid, created: parseDmtf(cells[iCreated] ?? '') };
    if (iWs >= 0) row.workingSetBytes = Number(cells[iWs]) || 0;
    if (iKernel >= 0 && iUser >= 0) {
      row.cpuMs = ((Number(cells[iKernel]) || 0) + (Number(cells[iUser]) || 0)) / 10_000;
    }
    out.push(row);
  }
  return out;
}

const BASE_FIELDS = ['CreationDate', 'ParentProcessId', 'ProcessId'];
const USAGE_FIELDS = ['KernelModeTime', 'UserModeTime', 'WorkingSetSize'];

/** What to list: every process, or one pid; with or without CPU and memory. */
export interface ProcessQuery {
  pid?: number;
  usage?: boolean;
}

function queryFields(query: ProcessQuery): string[] {
  return [...BASE_FIELDS, ...(query.usage ? USAGE_FIELDS : [])].sort();
}

function checkedPid(pid: number | undefined): number | undefined {
  if (pid !== undefined && (!Number.isInteger(pid) || pid <= 0)) {
    throw new Error(`Not a process id: ${pid}`);
  }
  return pid; // an integer: safe inside the script and the WQL filter below
}

/** Windows PowerShell argv printing the wmic CSV for `query` (CreationDate as CIM DATETIME). */
export function powershellArgs(query: ProcessQuery): string[] {
  const pid = checkedPid(query.pid);
  const fields = queryFields(query);
  const cells = fields.map((f) =>
    f === 'CreationDate'
      ? "$(if ($_.CreationDate) { [Management.ManagementDateTimeConverter]::ToDmtfDateTime($_.CreationDate) } else { '' })"
      : `$_.${f}`,
  );
  const format = ['.', ...fields].map((_, i) => `{${i}}`).join(',');
  const script = [
    "$ErrorActionPreference = 'Stop';",
    "$ProgressPreference = 'SilentlyContinue';",
    'Add-Type -AssemblyName System.Management;',
    `'Node,${fields.join(',')}';`,
    `Get-CimInstance -ClassName Win32_Process -Property ${fields.join(',')}${pid === undefined ? '' : ` -Filter 'ProcessId=${pid}'`} |`,
    `ForEach-Object { '${format}' -f '.',${cells.join(',')} }`,
  ].join(' ');
  return [
    '-NoLogo',
    '-NoProfile',
    '-NonInteractive',
    '-ExecutionPolicy',
    'Bypass',
    '-Command',
    script,
  ];
}

/** The same query through wmic (the fallback). */
export function wmicArgs(query: ProcessQuery): string[] {
  const pid = checkedPid(query.pid);
  const where = pid === undefined ? [] : ['where', `ProcessId=${pid}`];
  return ['process', ...where, 'get', queryFields(query).join(','), '/format:csv'];
}

/**
 * Win32_Process rows for `query`, or null when neither PowerShell nor wmic answered. A single
 * pid that does not exist gives []. wmic says "No Instance(s) Available." on stderr then.
 */
export async function queryProcesses(
  query: ProcessQuery,
  run: WinCommandRunner = defaultWinRunner,
): Promise<WinProcess[] | null> {
  const ps = await run('powershell.exe', powershellArgs(query));
  if (ps.exitCode === 0) {
    const rows = parseWin32ProcessCsv(ps.stdout);
    if (rows) return rows;
  }
  const wmic = await run('wmic.exe', wmicArgs(query));
  if (wmic.exitCode !== 0) return null;
  if (wmic.stdout.trim() === '') return [];
  return parseWin32ProcessCsv(wmic.stdout);
}

/** The start time token of a live process, or null if it is gone or nothing would say. */
export async function winStartTime(
  pid: number,
  run: WinCommandRunner = defaultWinRunner,
): Promise<string | null> {
  if (!Number.isInteger(pid) || pid <= 0) return null;
  const rows = await queryProcesses({ pid }, run);
  const row = rows?.find((r) => r.pid === pid);
  return row?.created != null ? startTimeToken(row.created) : null;
}

/**
 * The descendants of `root` in `table` (not the root itself). `root.created` names the root
 * even when it is gone. A process is a descendant when its ParentProcessId names the root or a
 * descendant AND it was created no earlier than that parent; when the parent's pid now belongs
 * to a newer process, a child created after that newcomer is the newcomer's, not ours.
 */
export function treeOf(
  table: readonly WinProcess[],
  root: { pid: number; created: bigint },
): WinProcess[] {
  const live = new Map(table.map((p) => [p.pid, p]));
  const members = new Map<number, bigint>([[root.pid, root.created]]);
  const out: WinProcess[] = [];
  const candidates = table
    .filter((p) => p.created !== null && p.pid !== root.pid && p.pid > 4)
    .sort((a, b) => (a.created! < b.created! ? -1 : a.created! > b.created! ? 1 : a.pid - b.pid));
  for (let added = true; added;) {
    added = false;
    for (const p of candidates) {
      if (members.has(p.pid)) continue;
      const parentCreated = members.get(p.ppid);
      if (parentCreated === undefined || p.created! < parentCreated) continue;
      const holder = live.get(p.ppid);
      const reused = holder?.created != null && holder.created !== parentCreated;
      if (reused && p.created! >= holder.created!) continue;
      members.set(p.pid, p.created!);
      out.push(p);
      added = true;
    }
  }
  return out;
}

/**
 * taskkill argv: `/T` takes each process's children too; without `/F` it only asks (it posts
 * WM_CLOSE to the process's windows), with `/F` it terminates. Pids 0-4 (Idle, System) never.
 */
export function taskkillArgs(pids: readonly number[], options: { force: boolean }): string[] {
  const targets = pids.filter((p) => Number.isInteger(p) && p > 4);
  return [...(options.force ? ['/F'] : []), '/T', ...targets.flatMap((p) => ['/PID', String(p)])];
}
