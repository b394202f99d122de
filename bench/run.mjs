// `npm run bench`: every figure of issues 4 and 12 beside its anchor, measured in one run and
// saved as JSON + markdown under bench/results/ (latest.* and a dated copy). A report, not a
// test: targets print "met" or "MISSED" and never fail the run.
//
// Sections (`--only a,b` runs some): capture (the app's capture, inline and worker, vs a raw
// `child > file` pipe and pm2 --time, byte-identical), memory (100,000 buffered lines),
// responsiveness (IPC round trips and event-loop delay of the real browser host, idle and under
// a full-speed flood, inline vs worker; host RSS), idle (the host's own CPU over 60 s with three
// idle services), readiness (tcp and log-line probes over 50 starts), renderer (Chromium at
// 20,000 and 50,000 lines/s).
//
// Options: --quick (fewer repetitions, shorter floods and idle), --only <names>, --dist <dir>
// (a build to run the host from, default dist/; e.g. one made with
// `npx vite build --config vite.main.config.ts --outDir /tmp/bench-dist/main` plus `--mode
// worker`, and the renderer config with --outDir /tmp/bench-dist/renderer), --anchor-dist
// <dir> (a build of the code before a change: its idle CPU is measured beside this one's).
// Env as before: BENCH_LINES, BENCH_REPEATS, BENCH_SKIP_PM2=1, BENCH_SKIP_RENDERER=1.
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { captureOurs, capturePm2, captureRaw, checkOurs, checkPm2 } from './capture.mjs';
import { formatReport } from './report.mjs';

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    dist: { type: 'string' },
    'anchor-dist': { type: 'string' },
  },
});
if (opts.dist) process.env.BENCH_DIST = path.resolve(opts.dist);
const SECTIONS = ['capture', 'memory', 'responsiveness', 'idle', 'readiness', 'renderer'];
const only = opts.only ? opts.only.split(',').map((s) => s.trim()) : SECTIONS;
for (const name of only) {
  if (!SECTIONS.includes(name)) {
    console.error(`--only: no section "${name}"; the sections are ${SECTIONS.join(', ')}.`);
    process.exit(2);
  }
}
const want = (name) => only.includes(name);
const QUICK = opts.quick;
const LINES = Number(process.env.BENCH_LINES ?? (QUICK ? 300_000 : 1_000_000));
const REPEATS = Number(process.env.BENCH_REPEATS ?? (QUICK ? 1 : 3));
const SKIP_PM2 = process.env.BENCH_SKIP_PM2 === '1';
const SKIP_RENDERER = process.env.BENCH_SKIP_RENDERER === '1';
const FLOOD_LINES = QUICK ? 300_000 : 2_000_000;
const IDLE_SECONDS = QUICK ? 15 : 60;
const AFTER_SECONDS = QUICK ? 5 : 30;
const READY_STARTS = QUICK ? 10 : 50;

const benchDir = import.meta.dirname;
const root = path.dirname(benchDir);
const log = (msg) => process.stderr.write(`${msg}\n`);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const floodEnv = { ...process.env, FLOOD_LINES: String(LINES) };

const result = {
  date: new Date().toISOString(),
  node: process.version,
  platform: `${os.platform()} ${os.arch()}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'})`,
  loadAverageAtStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
  quick: QUICK,
  sections: only,
  dist: process.env.BENCH_DIST ?? path.join(root, 'dist'),
};

/** Runs one section; a failure is recorded in the results and the other sections go on. */
async function section(name, fn) {
  if (!want(name)) return;
  try {
    result[name] = await fn();
  } catch (err) {
    log(`${name}: FAILED: ${err?.stack ?? err}`);
    result[name] = { error: String(err?.message ?? err) };
  }
}

// --- capture and memory: the core bundled into plain Node (there is no TS runner) -------------
let bundle = null;
if (want('capture') || want('memory')) {
  log('building bench bundle (vite) ...');
  execFileSync(
    path.join(root, 'node_modules/.bin/vite'),
    ['build', '--config', path.join(benchDir, 'vite.bench.config.ts')],
    { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  bundle = await import('./results/.build/capture.mjs');
}

await section('capture', async () => {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'stigmer-bench-'));
  try {
    const times = { raw: [], inline: [], worker: [], pm2: [] };
    const rawFile = path.join(tmp, 'raw.out');
    const dir = (mode, n) => path.join(tmp, `${mode}-${n}`);
    const pm2Out = (n) => path.join(tmp, `pm2-out-${n}.log`);
    for (let n = 1; n <= REPEATS; n++) {
      times.raw.push(await captureRaw(rawFile, floodEnv));
      log(`capture run ${n}: raw ${times.raw.at(-1).toFixed(2)} s`);
      for (const mode of ['inline', 'worker']) {
        await rm(dir(mode, n), { recursive: true, force: true });
        times[mode].push(await captureOurs(bundle.LogCapture, dir(mode, n), mode, floodEnv));
        log(`capture run ${n}: ${mode} ${times[mode].at(-1).toFixed(2)} s`);
      }
      if (!SKIP_PM2) {
        times.pm2.push(await capturePm2(tmp, n, pm2Out(n), floodEnv));
        log(`capture run ${n}: pm2 --time ${times.pm2.at(-1).toFixed(2)} s`);
      }
    }
    log('checking fidelity ...');
    const raw = await readFile(rawFile);
    const fidelity = {
      inline: await checkOurs(bundle, dir('inline', REPEATS), raw),
      worker: await checkOurs(bundle, dir('worker', REPEATS), raw),
      pm2: null,
    };
    if (!SKIP_PM2) {
      const rawLines = raw.toString('utf8').split('\n');
      rawLines.pop();
      fidelity.pm2 = await checkPm2(pm2Out(REPEATS), rawLines);
    }
    const med = Object.fromEntries(
      Object.entries(times).map(([k, v]) => [k, v.length ? median(v) : null]),
    );
    return {
      lines: LINES,
      floodBytes: raw.length,
      repeats: REPEATS,
      seconds: times,
      medianSeconds: med,
      fidelity,
    };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
});

await section('memory', async () => {
  const out = execFileSync(
    process.execPath,
    ['--expose-gc', path.join(benchDir, 'memory.mjs'), '100000'],
    { encoding: 'utf8' },
  );
  return JSON.parse(out.trim().split('\n').at(-1));
});

// --- the real browser host ------------------------------------------------------------------
if (['responsiveness', 'idle', 'readiness', 'renderer'].some(want)) {
  const { distDir } = await import('./host.mjs');
  const dist = distDir();
  if (!(await readFile(path.join(dist, 'main/browser-host.js')).catch(() => null))) {
    log(`${dist}/main/browser-host.js missing: running npm run build ...`);
    execFileSync('npm', ['run', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  }
}

await section('responsiveness', async () => {
  const { measureResponsiveness } = await import('./responsiveness.mjs');
  const out = {};
  // The pre-worker design first, as the issue's anchor, then the worker.
  for (const mode of ['inline', 'worker']) {
    out[mode] = await measureResponsiveness({
      mode,
      lines: FLOOD_LINES,
      idleSeconds: QUICK ? 3 : 5,
      afterSeconds: AFTER_SECONDS,
      log,
    });
  }
  return out;
});

await section('idle', async () => {
  const { measureIdleCpu } = await import('./idle-cpu.mjs');
  const settleSeconds = QUICK ? 10 : 30;
  const out = {
    ...(await measureIdleCpu({ seconds: IDLE_SECONDS, settleSeconds, log })),
    anchor: null,
  };
  if (opts['anchor-dist']) {
    // The same measurement against the build before the change, in this run.
    const current = process.env.BENCH_DIST;
    process.env.BENCH_DIST = path.resolve(opts['anchor-dist']);
    try {
      log(`idle cpu of the anchor build ${process.env.BENCH_DIST} ...`);
      out.anchor = {
        dist: process.env.BENCH_DIST,
        ...(await measureIdleCpu({ seconds: IDLE_SECONDS, settleSeconds, window: false, log })),
      };
    } finally {
      if (current === undefined) delete process.env.BENCH_DIST;
      else process.env.BENCH_DIST = current;
    }
  }
  return out;
});

await section('readiness', async () => {
  const { measureReadiness } = await import('./readiness.mjs');
  return measureReadiness({ starts: READY_STARTS, log });
});

await section('renderer', async () => {
  if (SKIP_RENDERER) return { skipped: 'BENCH_SKIP_RENDERER=1' };
  const { measureRenderer } = await import('./renderer.mjs');
  const out = {};
  for (const rate of [20_000, 50_000]) {
    log(`measuring the renderer (Chromium, ${rate.toLocaleString('en-US')} lines/s) ...`);
    const seconds = QUICK ? 4 : 8;
    const r = await measureRenderer({ rate, lines: rate * (seconds + 4), seconds, log });
    out[rate] = Object.fromEntries(Object.entries(r).filter(([k]) => k !== 'text'));
  }
  return out;
});

// --- report -----------------------------------------------------------------------------------
const { text, markdown } = formatReport(result);
console.log(`\n${text}\n`);
const resultsDir = path.join(benchDir, 'results');
await mkdir(resultsDir, { recursive: true });
const stamp = result.date.replace(/:/g, '-').replace(/\..*/, '');
const json = `${JSON.stringify(result, null, 2)}\n`;
// A partial run (--only) is saved under its date only; latest.* stays the last full run.
const names = only.length === SECTIONS.length ? ['latest', stamp] : [`${stamp}-partial`];
for (const name of names) {
  await writeFile(path.join(resultsDir, `${name}.json`), json);
  await writeFile(path.join(resultsDir, `${name}.md`), markdown);
}
log(`saved ${names.map((n) => `bench/results/${n}.{json,md}`).join(' and ')}`);
