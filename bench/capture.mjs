// Capture part of `npm run bench`: the same flood (bench/flood.mjs) written by a raw
// `child > file` pipe, by the app's LogCapture on the main thread (inline: the pre-worker
// design, LogPipeline) and in its worker thread, and by `pm2 start --time`; then the fidelity
// of each file. Needs the bench bundle (bench/results/.build, built by run.mjs).
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, existsSync, openSync } from 'node:fs';
import { mkdir, readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);
const benchDir = import.meta.dirname;
const root = path.dirname(benchDir);
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const floodScript = path.join(benchDir, 'flood.mjs');
const workerUrl = new URL('./results/.build/capture-worker.mjs', import.meta.url);
const now = () => performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** `node flood.mjs > file`: the child writes straight into the file. Seconds. */
export async function captureRaw(file, env) {
  const t0 = now();
  const fd = openSync(file, 'w');
  const child = spawn(process.execPath, [floodScript], { stdio: ['ignore', fd, 'inherit'], env });
  const [code] = await once(child, 'exit');
  closeSync(fd);
  if (code !== 0) throw new Error(`flood exited with ${code}`);
  return (now() - t0) / 1000;
}

/**
 * stdout piped into the app's LogCapture (`mode` inline | worker), with its backpressure obeyed
 * as the supervisor does (the child's pipe is paused while the worker is behind); done when
 * close() has the file complete and closed. Seconds.
 */
export async function captureOurs(LogCapture, logDir, mode, env) {
  // Rotation off (1 GiB) so the whole flood stays in one file for the fidelity check.
  const capture = new LogCapture({ logDir, maxFileBytes: 2 ** 30, mode, workerUrl });
  if (capture.mode !== mode) throw new Error(`capture runs ${capture.mode}, not ${mode}`);
  // The app starts its worker once, at launch: wait until it answers (a flush round trip)
  // before the clock starts. Timing it here charged each flood with the thread's start-up and
  // module load (~0.2 s of a 5 s run measured in a CPU profile), which the raw pipe never pays.
  await capture.flush();
  const t0 = now();
  // As in the app, a window is watching: the live stream (ring + ~60 Hz batches) is on; what
  // the window does with a batch is not capture, so the consumer here takes it and returns.
  capture.onBatch(() => {});
  const child = spawn(process.execPath, [floodScript], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env,
  });
  child.stdout.on('data', (chunk) => {
    capture.write('flood', 'stdout', chunk);
    const wait = capture.backpressure();
    if (wait !== null) {
      child.stdout.pause();
      void wait.then(() => child.stdout.resume());
    }
  });
  const [code] = await once(child, 'close');
  capture.end('flood');
  await capture.close();
  if (code !== 0) throw new Error(`flood exited with ${code}`);
  return (now() - t0) / 1000;
}

/** `pm2 start flood.mjs --time` with a private PM2_HOME; the daemon is up before the clock starts. */
export async function capturePm2(tmp, n, outFile, env) {
  const pm2Home = path.join(tmp, `pm2-home-${n}`);
  await mkdir(pm2Home, { recursive: true });
  const pm2Env = { ...env, PM2_HOME: pm2Home };
  const pm2 = (...args) =>
    execFileP(bin('pm2'), args, { env: pm2Env, maxBuffer: 64 * 1024 * 1024 });
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

/** Rebuild the child's bytes from our records and compare with the raw-pipe file, streaming. */
export async function checkOurs({ parseRecord, rebuildOutput }, logDir, raw) {
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
    // The app's own lines (stream 'system') are not the child's output.
    if (rec !== null && rec.stream === 'system') continue;
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
export async function checkPm2(outFile, rawLines) {
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
