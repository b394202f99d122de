// `npm run soak`: N seeded random actions against the real browser host (start/stop/restart,
// kill -9 of children, reloads with valid and invalid stack files, host kill -9 + relaunch,
// clean host restarts, key set/rotate/lock, settings, concurrent bursts), with every invariant
// checked after each step: no leftover process, journal verifies, settings memory = disk, no
// torn log line, no key value in any file or output, host alive. Stops at the first violation
// with the step, the seed and the last actions; exits 0 only when every invariant held.
//
//   node scripts/soak.mjs [--steps 1000] [--seed S] [--host-dir dist/main]
//                         [--without kind,kind] [--out file | --no-save] [--keep] [--verbose]
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ACTIONS, WEIGHTS, relaunch } from './soak/actions.mjs';
import { CanaryChecker, LogLineChecker } from './soak/files.mjs';
import { killHost, stopHost } from './soak/host-client.mjs';
import { SoakViolation, checkAll, settle } from './soak/invariants.mjs';
import { verifyJournalFiles } from './soak/journal.mjs';
import { scanProcesses } from './soak/processes.mjs';
import { createRng, randomSeed } from './soak/rng.mjs';
import { validStack, writeFixtures } from './soak/stack-files.mjs';
import { freePort } from './soak/free-port.mjs';

const root = resolve(import.meta.dirname, '..');
const { values: opts } = parseArgs({
  options: {
    steps: { type: 'string', default: '1000' },
    seed: { type: 'string' },
    'host-dir': { type: 'string', default: join(root, 'dist/main') },
    without: { type: 'string', default: '' },
    out: { type: 'string', default: join(root, 'bench/results/soak-latest.json') },
    'no-save': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  },
});
const steps = Number(opts.steps);
const seed = opts.seed === undefined ? randomSeed() : Number(opts.seed);
const hostDir = resolve(opts['host-dir']);
const without = opts.without.split(',').filter(Boolean);
const say = (line) => process.stdout.write(`[soak] ${line}\n`);

if (!Number.isInteger(steps) || steps < 1 || !Number.isInteger(seed)) {
  console.error('--steps and --seed take whole numbers, e.g. --steps 1000 --seed 42.');
  process.exit(2);
}
if (!existsSync(join(hostDir, 'browser-host.js'))) {
  console.error(
    `${join(hostDir, 'browser-host.js')} does not exist: build first (npm run build), or point --host-dir at a folder that holds browser-host.js.`,
  );
  process.exit(2);
}
// `setsid` is not an action: it leaves out the sidecar whose grandchild escapes its group.
const unknown = without.filter((k) => !(k in WEIGHTS) && k !== 'setsid');
if (unknown.length > 0) {
  console.error(
    `--without: unknown action ${unknown.join(', ')}; known: ${Object.keys(WEIGHTS).join(', ')}, setsid.`,
  );
  process.exit(2);
}
const weights = Object.fromEntries(Object.entries(WEIGHTS).filter(([k]) => !without.includes(k)));

if (!existsSync('/proc/self/cmdline')) {
  console.error('The soak finds leftover processes through /proc, so it runs on Linux only.');
  process.exit(2);
}

const rootDir = await mkdtemp(join(tmpdir(), 'stigmer-soak-'));
// Ctrl-C: end this run's processes (found by its temp dir) rather than leave them running.
process.once('SIGINT', () => {
  for (const p of scanProcesses(rootDir)) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  say(`interrupted; temp dir left at ${rootDir}`);
  process.exit(130);
});
const ctx = {
  rng: createRng(seed),
  marker: rootDir,
  dataDir: join(rootDir, 'data'),
  homeDir: join(rootDir, 'home'),
  hostDir,
  host: null,
  hosts: [],
  setsid: !without.includes('setsid'),
  fileValid: true,
  lastValidText: '',
  canary: new CanaryChecker(),
  logs: new LogLineChecker(),
  stats: {
    actions: {},
    hostKills: 0,
    hostRestarts: 0,
    secondHosts: 0,
    childKills: 0,
    orphansReclaimed: 0,
    invariantChecks: 0,
    leftoverProcesses: 0,
    verifyFailures: 0,
    settingsMismatches: 0,
    tornLogLines: 0,
    canaryLeaks: 0,
    tornJournalTailsAfterKill: 0,
    journalEntries: 0,
    errorsByCode: {},
    /** Steps over 5 s, for a look at what was slow. */
    slowSteps: [],
    /** Where the time went: the actions themselves, waiting for transitions, the checks. */
    timeMs: { actions: 0, settling: 0, checks: 0 },
  },
};
ctx.logDir = join(ctx.dataDir, 'logs');
ctx.auditDir = join(ctx.dataDir, 'audit');
ctx.stackPath = join(ctx.dataDir, 'stack.yaml');

say(
  `seed ${seed} (replay: node scripts/soak.mjs --steps ${steps} --seed ${seed}${without.length ? ` --without ${without.join(',')}` : ''})`,
);
say(`${steps} steps against ${join(hostDir, 'browser-host.js')}, temp dir ${rootDir}`);

const history = [];
const started = Date.now();
let violation = null;
let step = 0;
try {
  await mkdir(ctx.dataDir, { recursive: true });
  await mkdir(ctx.homeDir, { recursive: true });
  ctx.fixtures = await writeFixtures(rootDir);
  ctx.serverPort = await freePort();
  const first = validStack(ctx.rng, ctx);
  await writeFile(ctx.stackPath, first.text);
  ctx.lastValidText = first.text;
  await relaunch(ctx, false);
  for (step = 1; step <= steps; step++) {
    const kind = ctx.rng.weighted(weights);
    const rec = { step, kind, detail: '', ms: 0 };
    const t0 = Date.now();
    let t1 = t0;
    let t2 = t0;
    history.push(rec);
    ctx.stats.actions[kind] = (ctx.stats.actions[kind] ?? 0) + 1;
    try {
      await ACTIONS[kind](ctx, rec);
      t1 = Date.now();
      await settle(ctx);
      t2 = Date.now();
      await checkAll(ctx);
      ctx.stats.timeMs.actions += t1 - t0;
      ctx.stats.timeMs.settling += t2 - t1;
      ctx.stats.timeMs.checks += Date.now() - t2;
    } finally {
      rec.ms = Date.now() - t0;
      if (rec.ms > 5000 && ctx.stats.slowSteps.length < 20) {
        ctx.stats.slowSteps.push(`#${step} ${kind} ${rec.detail.slice(0, 160)} (${rec.ms} ms)`);
      }
      if (opts.verbose) {
        say(`#${step} ${kind} ${rec.detail} (${t1 - t0} + ${t2 - t1} + ${Date.now() - t2} ms)`);
      }
    }
    if (step % 50 === 0 || step === steps) {
      const s = ctx.stats;
      say(
        `step ${step}/${steps} ${((Date.now() - started) / 1000).toFixed(1)} s: host kills ${s.hostKills}, host restarts ${s.hostRestarts}, child kills ${s.childKills}, checks ${s.invariantChecks}, journal ${s.journalEntries} entries`,
      );
    }
  }
  step = steps;
  // The end: a clean stop leaves nothing behind and a journal that verifies from the files.
  const code = await stopHost(ctx.host);
  if (code !== 0) throw new SoakViolation('clean stop', `the host ended with ${code} at the end`);
  const left = scanProcesses(ctx.marker);
  if (left.length > 0) {
    ctx.stats.leftoverProcesses += left.length;
    throw new SoakViolation(
      'no leftover process',
      `after the final stop: ${left.map((p) => p.cmd).join('; ')}`,
    );
  }
  const journal = await verifyJournalFiles(ctx.auditDir, { strict: true });
  if (!journal.ok) {
    ctx.stats.verifyFailures++;
    throw new SoakViolation('journal verifies', `after the final stop: ${JSON.stringify(journal)}`);
  }
  ctx.stats.journalEntries = journal.entries;
  const torn = await ctx.logs.check(ctx.logDir, { final: true });
  if (torn.length > 0)
    throw new SoakViolation('no torn log line', JSON.stringify(torn.slice(0, 3)));
} catch (error) {
  violation =
    error instanceof SoakViolation
      ? { step, invariant: error.invariant, message: error.message }
      : { step, invariant: 'soak ran', message: error.stack ?? String(error) };
}

const elapsedMs = Date.now() - started;
if (ctx.host?.alive()) await killHost(ctx.host);
// What this run left (only after a violation): its own processes, found by its temp dir.
for (const p of scanProcesses(rootDir)) {
  try {
    process.kill(p.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

const summary = {
  ok: violation === null,
  seed,
  steps,
  completedSteps: violation ? step - 1 : steps,
  elapsedMs,
  elapsed: `${Math.floor(elapsedMs / 60000)} min ${((elapsedMs % 60000) / 1000).toFixed(1)} s`,
  ...ctx.stats,
  logLinesChecked: ctx.logs.lines,
  canariesWatched: ctx.canary.needles.length,
  hostsLaunched: ctx.hosts.length,
  without,
  hostDir,
  violation,
  node: process.version,
  commit: gitHead(),
  date: new Date().toISOString(),
  machine: `${(await import('node:os')).cpus().length} cores`,
};

if (violation) {
  say(`VIOLATION at step ${violation.step} (seed ${seed}): ${violation.invariant}`);
  for (const line of violation.message.split('\n')) say(`  ${line}`);
  say('last actions:');
  for (const r of history.slice(-15)) say(`  #${r.step} ${r.kind} ${r.detail} (${r.ms} ms)`);
  if (ctx.host) {
    say('host output (last lines):');
    for (const line of ctx.host.tail.slice(-15)) say(`  ${line}`);
  }
  say(`replay: node scripts/soak.mjs --steps ${step} --seed ${seed}`);
  say(`temp dir kept for inspection: ${rootDir}`);
} else if (!opts.keep) {
  await rm(rootDir, { recursive: true, force: true });
}
say(
  `${summary.completedSteps} steps in ${summary.elapsed}; actions ${JSON.stringify(ctx.stats.actions)}`,
);
say(
  `host kills ${ctx.stats.hostKills}, host restarts ${ctx.stats.hostRestarts}, child kills ${ctx.stats.childKills}, orphans reclaimed ${ctx.stats.orphansReclaimed}, invariant checks ${ctx.stats.invariantChecks}, leftover processes ${ctx.stats.leftoverProcesses}, verify failures ${ctx.stats.verifyFailures}, torn log lines ${ctx.stats.tornLogLines}, key leaks ${ctx.stats.canaryLeaks}`,
);
if (!opts['no-save']) {
  await mkdir(resolve(opts.out, '..'), { recursive: true });
  await writeFile(opts.out, `${JSON.stringify(summary, null, 2)}\n`);
  say(`summary saved to ${opts.out}`);
}
// The plain closing line CI reads: invariant checks passed, violations.
process.stdout.write(`soak: ${ctx.stats.invariantChecks} passed, ${violation ? 1 : 0} failed\n`);
process.exit(violation ? 1 : 0);

function gitHead() {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: root,
      encoding: 'utf8',
    }).trim();
  } catch {
    return null;
  }
}
