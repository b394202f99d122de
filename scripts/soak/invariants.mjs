// The invariants checked after every step, and the IPC helper that treats an `internal` error
// or a missing answer as a violation (every other error is an answer the user could act on).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { ancestorIn, scanProcesses } from './processes.mjs';

/** A broken invariant: stops the run with a report. */
export class SoakViolation extends Error {
  constructor(invariant, message) {
    super(message);
    this.invariant = invariant;
  }
}

/** Defaults of src-shared/model/settings.ts, for a settings.json that omits a field. */
const DEFAULT_SETTINGS = { keyIdleMinutes: 10, binaries: {}, launchAtLogin: false };

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** One IPC request; an `internal` error or no answer at all breaks the "answers" invariant. */
export async function ask(ctx, channel, args, timeoutMs = 30_000) {
  const result = await ctx.host.call(channel, args, timeoutMs);
  if (!result.ok) {
    const code = result.error?.code ?? 'malformed';
    ctx.stats.errorsByCode[code] = (ctx.stats.errorsByCode[code] ?? 0) + 1;
    if (code === 'internal' || code === 'no-answer' || code === 'malformed') {
      throw new SoakViolation(
        'host answers every request',
        `${channel} answered ${code}: ${result.error?.message ?? JSON.stringify(result)}`,
      );
    }
  }
  return result;
}

/** Poll the snapshot until no service is starting or stopping, at most `boundMs`. */
export async function settle(ctx, boundMs = 8000) {
  const deadline = Date.now() + boundMs;
  for (;;) {
    const snap = await ask(ctx, 'stack:snapshot');
    const busy = snap.value.services.some((s) => s.state === 'starting' || s.state === 'stopping');
    if (!busy || Date.now() > deadline) return snap.value;
    await sleep(60);
  }
}

/** Processes of this run that belong to no live service of the live host. */
async function strays(ctx) {
  const before = await ask(ctx, 'stack:snapshot');
  const procs = scanProcesses(ctx.marker);
  const after = await ask(ctx, 'stack:snapshot');
  const groups = new Set(
    [...before.value.services, ...after.value.services].map((s) => s.pid).filter(Boolean),
  );
  const out = [];
  for (const p of procs) {
    if (p.pid === ctx.host.pid || groups.has(p.pid) || groups.has(p.pgid)) continue;
    // A live service's descendant that left its group (setsid) still belongs to that service.
    if (ancestorIn(p.pid, groups) !== null) continue;
    const underHost = ancestorIn(p.pid, new Set([ctx.host.pid])) !== null;
    out.push({ ...p, why: underHost ? 'in no service group' : 'orphan (not under the live host)' });
  }
  return out;
}

/**
 * (1) No leftover process: each one of this run is the host, or in the process group of (or
 * descended from) a service the snapshot shows with a pid. Transitions (a spawn between two snapshots, a group
 * still exiting) get a few seconds; what is still there after that is a leftover.
 */
export async function checkProcesses(ctx) {
  const deadline = Date.now() + 4000;
  let out = await strays(ctx);
  while (out.length > 0 && Date.now() < deadline) {
    await sleep(150);
    out = await strays(ctx);
  }
  if (out.length === 0) return;
  ctx.stats.leftoverProcesses += out.length;
  throw new SoakViolation(
    'no leftover process',
    out.map((p) => `pid ${p.pid} (pgid ${p.pgid}, ppid ${p.ppid}) ${p.why}: ${p.cmd}`).join('\n'),
  );
}

/** (2) The journal verifies over IPC. */
export async function checkJournal(ctx) {
  const result = await ask(ctx, 'audit:verify');
  if (!result.ok || !result.value.ok) {
    ctx.stats.verifyFailures++;
    throw new SoakViolation(
      'journal verifies',
      `audit:verify: ${JSON.stringify(result.ok ? result.value : result.error)}`,
    );
  }
  ctx.stats.journalEntries = result.value.entries;
}

/** (3) Settings in memory equal settings.json (when it exists). */
export async function checkSettings(ctx) {
  const memory = (await ask(ctx, 'settings:get')).value;
  let text;
  try {
    text = await readFile(join(ctx.dataDir, 'settings.json'), 'utf8');
  } catch {
    return;
  }
  let disk;
  try {
    disk = { ...DEFAULT_SETTINGS, ...JSON.parse(text) };
  } catch (error) {
    ctx.stats.settingsMismatches++;
    throw new SoakViolation('settings memory = disk', `settings.json: ${error.message}`);
  }
  if (!isDeepStrictEqual(memory, disk)) {
    ctx.stats.settingsMismatches++;
    throw new SoakViolation(
      'settings memory = disk',
      `memory ${JSON.stringify(memory)}\n  disk   ${JSON.stringify(disk)}`,
    );
  }
}

/** (4) No torn line in any log file. */
export async function checkLogs(ctx, final = false) {
  const torn = await ctx.logs.check(ctx.logDir, { final });
  if (torn.length > 0) {
    ctx.stats.tornLogLines += torn.length;
    throw new SoakViolation(
      'no torn log line',
      torn
        .slice(0, 5)
        .map((t) => `${t.file}: ${JSON.stringify(t.line)}`)
        .join('\n'),
    );
  }
}

/** (5) No canary key value in any file of the run or in any host's output. */
export async function checkCanaries(ctx) {
  const leaks = await ctx.canary.checkFiles(ctx.marker);
  for (const host of ctx.hosts) leaks.push(...ctx.canary.checkOutput(host));
  if (leaks.length > 0) {
    ctx.stats.canaryLeaks += leaks.length;
    throw new SoakViolation('no key value in files or output', leaks.join('\n'));
  }
}

/** (6) The host is alive and answers. */
export async function checkHostAlive(ctx) {
  if (!ctx.host.alive()) {
    throw new SoakViolation('host alive', `the host exited (${ctx.host.exitCode})`);
  }
  await ask(ctx, 'app:info', undefined, 10_000);
}

/** Every invariant, in order; counts each check run. */
export async function checkAll(ctx) {
  for (const check of [
    checkHostAlive,
    checkProcesses,
    checkJournal,
    checkSettings,
    checkLogs,
    checkCanaries,
  ]) {
    await check(ctx);
    ctx.stats.invariantChecks++;
  }
}
