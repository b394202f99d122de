// `npm run bench`: capture throughput of the LogPipeline vs a raw `child > file` pipe and vs
// `pm2 start --time` on the same 1,000,000-line flood, fidelity of both files, and memory of the
// core with 100,000 buffered lines, and renderer long tasks / frame times in Chromium while a
// service prints 20,000 lines/s (bench/renderer.mjs; needs `npm run build`). A report, not a test: it prints ratios against the targets
// of issue 4 and saves them under bench/results/; a missed target does not fail the run.
//
// Options (env): BENCH_LINES (default 1000000), BENCH_REPEATS (default 3), BENCH_SKIP_PM2=1,
// BENCH_SKIP_RENDERER=1.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, existsSync, openSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { measureRenderer } from './renderer.mjs';

const execFileP = promisify(execFile);
const benchDir = import.meta.dirname;
const root = path.dirname(benchDir);
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const floodScript = path.join(benchDir, 'flood.mjs');
const LINES = Number(process.env.BENCH_LINES ?? 1_000_000);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const SKIP_PM2 = process.env.BENCH_SKIP_PM2 === '1';
const SKIP_RENDERER = process.env.BENCH_SKIP_RENDERER === '1';
const TARGET_RAW = 0.6;
const TARGET_PM2 = 3;

const log = (msg) => process.stderr.write(`${msg}\n`);
const now = () => performance.now();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const floodEnv = { ...process.env, FLOOD_LINES: String(LINES) };

// --- build the TypeScript core into a plain-Node bundle (there is no TS runner) -----------------
log('building bench bundle (vite) ...');
execFileSync(bin('vite'), ['build', '--config', path.join(benchDir, 'vite.bench.config.ts')], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'inherit'],
});
const { LogPipeline, parseRecord, rebuildOutput } = await import('./results/.build/capture.mjs');

const tmp = await mkdtemp(path.join(os.tmpdir(), 'stigmer-bench-'));

// --- the three captures ------------------------------------------------------------------------

/** a. `node flood.mjs > file`: the child writes straight into the file. */
async function captureRaw(file) {
  const t0 = now();
  const fd = openSync(file, 'w');
  const child = spawn(process.execPath, [floodScript], {
    stdio: ['ignore', fd, 'inherit'],
    env: floodEnv,
  });
  const [code] = await once(child, 'exit');
  closeSync(fd);
  if (code !== 0) throw new Error(`flood exited with ${code}`);
  return (now() - t0) / 1000;
}

/** b. stdout piped into LogPipeline.write; done when close() has the file complete and closed. */
async function captureOurs(logDir) {
  const t0 = now();
  // Rotation off (1 GiB) so the whole flood stays in one file for the fidelity check.
  const pipeline = new LogPipeline({ logDir, maxFileBytes: 2 ** 30 });
  // As in the app, a window is watching: the live stream (ring + ~60 Hz batches) is on; what
  // the window does with a batch is not capture, so the consumer here takes it and returns.
  pipeline.onBatch(() => {});
  const child = spawn(process.execPath, [floodScript], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: floodEnv,
  });
  child.stdout.on('data', (chunk) => pipeline.write('flood', 'stdout', chunk));
  const [code] = await once(child, 'close');
  pipeline.end('flood');
  await pipeline.close();
  if (code !== 0) throw new Error(`flood exited with ${code}`);
  return (now() - t0) / 1000;
}

/** c. `pm2 start flood.mjs --time` with a private PM2_HOME; the daemon is up before the clock starts. */
async function capturePm2(n, outFile) {
  const pm2Home = path.join(tmp, `pm2-home-${n}`);
  await mkdir(pm2Home, { recursive: true });
  const env = { ...floodEnv, PM2_HOME: pm2Home };
  const pm2 = (...args) => execFileP(bin('pm2'), args, { env, maxBuffer: 64 * 1024 * 1024 });
  await pm2('ping'); // starts the daemon
  const errFile = path.join(tmp, `pm2-err-${n}.log`);
  const name = `flood-${n}`;
  const wall0 = Date.now(); // compared with the file's mtime, so wall-clock time
  await pm2(
    'start',
    floodScript,
    '--time',
    '--no-autorestart',
    '--name',
    name,
    '-o',
    outFile,
    '-e',
    errFile,
  );
  // Poll the file size cheaply; once it has not grown for 500 ms, confirm the process stopped.
  let lastSize = -1;
  let stableSince = now();
  for (;;) {
    await sleep(25);
    const size = existsSync(outFile) ? (await stat(outFile)).size : -1;
    if (size !== lastSize) {
      lastSize = size;
      stableSince = now();
      continue;
    }
    if (now() - stableSince < 500) continue;
    const { stdout } = await pm2('jlist');
    const app = JSON.parse(stdout).find((p) => p.name === name);
    const status = app?.pm2_env?.status;
    if (status === 'stopped' || status === 'errored' || status === undefined) break;
    stableSince = now();
  }
  // The log is complete when it was last written: its mtime (not our polling delay).
  const end = (await stat(outFile)).mtimeMs;
  await pm2('kill');
  return (end - wall0) / 1000;
}

// --- fidelity ------------------------------------------------------------------------------------

/** Rebuild the child's bytes from our records and compare with the raw-pipe file, streaming. */
async function checkOurs(logDir, raw) {
  const files = (await readdir(logDir)).sort();
  const text = await readFile(path.join(logDir, 'flood.log'), 'utf8');
  let off = 0; // offset in raw
  let badRecords = 0;
  let firstDiff = -1;
  let pos = 0;
  let batch = [];
  const compare = () => {
    if (firstDiff >= 0 || batch.length === 0) return;
    const bytes = Buffer.from(rebuildOutput(batch), 'utf8');
    const slice = raw.subarray(off, off + bytes.length);
    if (!slice.equals(bytes)) {
      let i = 0;
      while (i < bytes.length && i < slice.length && bytes[i] === slice[i]) i++;
      firstDiff = off + i;
    }
    off += bytes.length;
    batch = [];
  };
  while (pos < text.length) {
    let nl = text.indexOf('\n', pos);
    if (nl === -1) nl = text.length;
    const rec = parseRecord(text.slice(pos, nl));
    pos = nl + 1;
    if (rec === null || rec.stream !== 'stdout') badRecords++;
    else batch.push(rec);
    if (batch.length >= 10_000) compare();
  }
  compare();
  if (firstDiff < 0 && off !== raw.length) firstDiff = Math.min(off, raw.length);
  return {
    identical: firstDiff < 0 && badRecords === 0,
    firstDifferingOffset: firstDiff < 0 ? null : firstDiff,
    badRecords,
    files,
    fileBytes: Buffer.byteLength(text),
  };
}

/**
 * pm2 --time prefixes each line with `YYYY-MM-DDTHH:mm:ss: ` (dayjs, local time). Strip it and
 * walk the raw lines in order: a raw line is intact when it appears unchanged in order.
 */
async function checkPm2(outFile, rawLines) {
  const text = await readFile(outFile, 'utf8');
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const prefix = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d: /;
  let unprefixed = 0;
  let intact = 0;
  let foreign = 0;
  let i = 0;
  for (const l of lines) {
    const m = prefix.exec(l);
    if (m === null) unprefixed++;
    const body = m === null ? l : l.slice(m[0].length);
    let j = i;
    while (j < rawLines.length && j < i + 16 && rawLines[j] !== body) j++;
    if (j < rawLines.length && rawLines[j] === body) {
      intact++;
      i = j + 1;
    } else foreign++; // a fragment of a line cut at a read boundary
  }
  return {
    lines: lines.length,
    intactLines: intact,
    alteredLines: rawLines.length - intact,
    fragmentLines: foreign,
    unprefixedLines: unprefixed,
    sample: lines.find((l) => prefix.test(l))?.slice(0, 60) ?? null,
  };
}

// --- memory (fresh process) ----------------------------------------------------------------------

function memory(lines) {
  const out = execFileSync(
    process.execPath,
    ['--expose-gc', path.join(benchDir, 'memory.mjs'), String(lines)],
    { encoding: 'utf8' },
  );
  return JSON.parse(out.trim().split('\n').at(-1));
}

// --- run -----------------------------------------------------------------------------------------

const times = { raw: [], ours: [], pm2: [] };
const rawFile = path.join(tmp, 'raw.out');
const oursDir = (n) => path.join(tmp, `ours-${n}`);
const pm2Out = (n) => path.join(tmp, `pm2-out-${n}.log`);
try {
  for (let n = 1; n <= REPEATS; n++) {
    times.raw.push(await captureRaw(rawFile));
    log(`run ${n}: raw ${times.raw.at(-1).toFixed(2)} s`);
    await rm(oursDir(n), { recursive: true, force: true });
    times.ours.push(await captureOurs(oursDir(n)));
    log(`run ${n}: ours ${times.ours.at(-1).toFixed(2)} s`);
    if (!SKIP_PM2) {
      times.pm2.push(await capturePm2(n, pm2Out(n)));
      log(`run ${n}: pm2 --time ${times.pm2.at(-1).toFixed(2)} s`);
    }
  }

  log('checking fidelity ...');
  const raw = await readFile(rawFile);
  const ours = await checkOurs(oursDir(REPEATS), raw);
  let pm2 = null;
  if (!SKIP_PM2) {
    const rawLines = raw.toString('utf8').split('\n');
    rawLines.pop();
    pm2 = await checkPm2(pm2Out(REPEATS), rawLines);
  }
  log('measuring memory ...');
  const mem = memory(100_000);
  let renderer = null;
  if (!SKIP_RENDERER) {
    log('measuring the renderer (Chromium, 20,000 lines/s) ...');
    try {
      renderer = await measureRenderer({ rate: 20_000, lines: 200_000, seconds: 8, log });
    } catch (err) {
      renderer = { error: String(err?.stack ?? err), text: `renderer: FAILED (${err?.message})` };
      log(renderer.error);
    }
  }

  // --- report ----------------------------------------------------------------------------------
  const t = {
    raw: median(times.raw),
    ours: median(times.ours),
    pm2: SKIP_PM2 ? null : median(times.pm2),
  };
  const vsRaw = t.raw / t.ours; // throughput ratio = inverse time ratio
  const vsPm2 = t.pm2 === null ? null : t.pm2 / t.ours;
  const verdict = (v, target) => (v === null ? 'n/a' : v >= target ? 'PASS' : 'MISS');
  const result = {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${os.platform()} ${os.arch()}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'})`,
    lines: LINES,
    floodBytes: raw.length,
    repeats: REPEATS,
    seconds: { raw: times.raw, ours: times.ours, pm2: times.pm2 },
    medianSeconds: t,
    linesPerSecond: {
      raw: LINES / t.raw,
      ours: LINES / t.ours,
      pm2: t.pm2 === null ? null : LINES / t.pm2,
    },
    ratios: {
      oursVsRaw: { value: vsRaw, target: TARGET_RAW, verdict: verdict(vsRaw, TARGET_RAW) },
      oursVsPm2: { value: vsPm2, target: TARGET_PM2, verdict: verdict(vsPm2, TARGET_PM2) },
    },
    fidelity: { ours, pm2 },
    memory: mem,
    renderer:
      renderer === null
        ? 'skipped (BENCH_SKIP_RENDERER=1)'
        : Object.fromEntries(Object.entries(renderer).filter(([k]) => k !== 'text')),
  };

  const fmtN = (x) =>
    x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e3 ? `${Math.round(x / 1e3)}k` : `${x}`;
  const fmtT = (s) => `${s.toFixed(2)} s`;
  const rows = [
    ['raw pipe (child > file)', fmtT(t.raw), fmtN(LINES / t.raw), '1.00x', ''],
    [
      'stigmer-local LogPipeline',
      fmtT(t.ours),
      fmtN(LINES / t.ours),
      `${vsRaw.toFixed(2)}x`,
      vsPm2 === null ? '' : `${vsPm2.toFixed(2)}x`,
    ],
  ];
  if (t.pm2 !== null) rows.push(['pm2 --time', fmtT(t.pm2), fmtN(LINES / t.pm2), '', '1.00x']);
  const head = [
    `capture of ${LINES.toLocaleString('en-US')} lines (median of ${REPEATS})`,
    'time',
    'lines/s',
    'vs raw',
    'vs pm2 --time',
  ];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r) =>
    r
      .map((c, i) => c.padEnd(widths[i]))
      .join('   ')
      .trimEnd();
  const pm2Line =
    pm2 === null
      ? 'pm2 --time not measured'
      : `pm2 --time altered lines = ${pm2.alteredLines.toLocaleString('en-US')} of ${LINES.toLocaleString('en-US')} (${pm2.fragmentLines.toLocaleString('en-US')} fragment lines)`;
  const text = [
    line(head),
    ...rows.map(line),
    '',
    `target ours/raw >= ${TARGET_RAW}x: ${vsRaw.toFixed(2)}x ${verdict(vsRaw, TARGET_RAW)}`,
    `target ours/pm2 --time >= ${TARGET_PM2}x: ${vsPm2 === null ? 'n/a' : `${vsPm2.toFixed(2)}x`} ${verdict(vsPm2, TARGET_PM2)}`,
    `fidelity: ours byte-identical = ${ours.identical ? 'yes' : `NO (first differing offset ${ours.firstDifferingOffset}, ${ours.badRecords} unparsable records)`}; ${pm2Line}`,
    `memory: ${mem.lines.toLocaleString('en-US')} buffered lines (${mem.textMB.toFixed(1)} MB of text) = ${mem.heapUsedMB.toFixed(1)} MB heap, ${mem.rssMB.toFixed(1)} MB rss`,
    renderer === null ? 'renderer: skipped (BENCH_SKIP_RENDERER=1)' : renderer.text,
  ].join('\n');
  console.log(`\n${text}\n`);

  const md = [
    `# Bench results (${result.date})`,
    '',
    `${result.platform}, Node ${result.node}; flood of ${LINES.toLocaleString('en-US')} lines (${(raw.length / 1e6).toFixed(1)} MB), median of ${REPEATS}.`,
    '',
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
    '```',
    text,
    '```',
    '',
  ].join('\n');

  const resultsDir = path.join(benchDir, 'results');
  await mkdir(resultsDir, { recursive: true });
  const stamp = result.date.replace(/:/g, '-').replace(/\..*/, '');
  const json = `${JSON.stringify(result, null, 2)}\n`;
  await writeFile(path.join(resultsDir, 'latest.json'), json);
  await writeFile(path.join(resultsDir, 'latest.md'), md);
  await writeFile(path.join(resultsDir, `${stamp}.json`), json);
  await writeFile(path.join(resultsDir, `${stamp}.md`), md);
  log(`saved bench/results/latest.{json,md} and bench/results/${stamp}.{json,md}`);
} finally {
  await rm(tmp, { recursive: true, force: true });
}
