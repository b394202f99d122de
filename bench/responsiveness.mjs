// Main-thread responsiveness of the real browser host: a client sends `stack:snapshot` over the
// WebSocket every 5 ms (the next one as soon as the last answered, when an answer takes longer)
// and times each round trip, while the host measures its own event-loop delay
// (perf_hooks.monitorEventLoopDelay, opt-in with STIGMER_LOCAL_BENCH_ELD, cut per window with
// SIGUSR2). Windows: idle (the stack up, nothing printing), then one service printing
// `lines` lines as fast as the pipe takes them. The host's RSS is sampled through the flood
// (peak) and read again `afterSeconds` later. Run once per capture design
// (STIGMER_LOCAL_CAPTURE=inline, the pre-worker design, and worker).
//
// `node bench/responsiveness.mjs [lines] [mode]` runs it alone (BENCH_DIST picks the build).
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  NO_DEFAULTS,
  connect,
  distDir,
  percentile,
  root,
  rssOf,
  sleep,
  startHost,
} from './host.mjs';

const PERIOD_MS = 5;
/**
 * The Node flags `stigmer-local up` starts the host with (src-main/browser-host/node-flags.ts;
 * the bench has no TS runner, so they are repeated here): the host is measured as it runs.
 * BENCH_HOST_NODE_FLAGS (space-separated, may be empty) measures others.
 */
const HOST_NODE_FLAGS = (process.env.BENCH_HOST_NODE_FLAGS ?? '--max-semi-space-size=2')
  .split(' ')
  .filter(Boolean);
const MB = 1024 * 1024;

function floodStackYaml(lines) {
  const node = JSON.stringify(process.execPath);
  const flood = JSON.stringify(path.join(root, 'bench/flood.mjs'));
  return `${NO_DEFAULTS}  flood:
    command: ${node}
    args: [${flood}]
    env: { FLOOD_LINES: "${lines}" }
    readiness: none
    restart: { policy: never }
`;
}

/** Round trips every PERIOD_MS until `until()` says stop; `onReply` sees each snapshot. */
async function roundTrips(client, until, onReply = () => {}) {
  const rtts = [];
  let next = performance.now();
  while (!until()) {
    const t0 = performance.now();
    const r = await client.invoke('stack:snapshot');
    rtts.push(performance.now() - t0);
    if (r.ok) onReply(r.value);
    next += PERIOD_MS;
    const wait = next - performance.now();
    if (wait > 0) await sleep(wait);
    else next = performance.now();
  }
  return rtts;
}

const r2 = (x) => Math.round(x * 100) / 100;
function stats(rtts) {
  const s = [...rtts].sort((a, b) => a - b);
  return {
    count: s.length,
    p50Ms: r2(percentile(s, 50)),
    p99Ms: r2(percentile(s, 99)),
    maxMs: r2(s.at(-1) ?? 0),
  };
}

/** SIGUSR2 to the host, then its event-loop delay report since the last one. */
async function eld(host, file) {
  await rm(file, { force: true });
  process.kill(host.pid, 'SIGUSR2');
  for (let i = 0; i < 200; i++) {
    try {
      return JSON.parse(await readFile(file, 'utf8'));
    } catch {
      await sleep(10);
    }
  }
  return null;
}

/**
 * One design (`mode`: inline | worker): idle and flood round trips, event-loop delay, RSS.
 * Returns a plain object for the results JSON.
 */
export async function measureResponsiveness({
  mode,
  lines = 2_000_000,
  idleSeconds = 5,
  afterSeconds = 30,
  log = () => {},
} = {}) {
  // Without its worker file the host quietly captures inline: that would be no worker figure.
  const worker = path.join(distDir(), 'main/capture-worker.mjs');
  if (mode === 'worker' && !existsSync(worker)) {
    throw new Error(
      `${worker} is missing, so the host would capture inline; build it with ` +
        '`npx vite build --config vite.main.config.ts --mode worker` (npm run build does).',
    );
  }
  const eldFile = path.join(os.tmpdir(), `stigmer-bench-eld-${process.pid}-${mode}.json`);
  const host = await startHost({
    stackYaml: floodStackYaml(lines),
    env: { STIGMER_LOCAL_CAPTURE: mode, STIGMER_LOCAL_BENCH_ELD: eldFile },
    nodeArgs: HOST_NODE_FLAGS,
  });
  let client = null;
  try {
    // A window: connected, so live lines are sent to it, and it takes them as they come.
    client = await connect(host.url);
    let linesSeen = 0;
    client.onEvent((channel, payload) => {
      if (channel === 'logs:lines') linesSeen += payload.lines.length + payload.skipped;
    });
    log(`responsiveness (${mode}): idle ${idleSeconds} s ...`);
    await sleep(1000);
    await eld(host, eldFile); // starts the idle window afresh
    const idleEnd = performance.now() + idleSeconds * 1000;
    const idleRtt = await roundTrips(client, () => performance.now() >= idleEnd);
    const idleEld = await eld(host, eldFile);
    const rssIdle = rssOf(host.pid);

    log(`responsiveness (${mode}): flood of ${lines.toLocaleString('en-US')} lines ...`);
    let rssPeak = rssOf(host.pid);
    const rssTimer = setInterval(() => (rssPeak = Math.max(rssPeak, rssOf(host.pid))), 100);
    let started = false;
    let exited = false;
    const t0 = performance.now();
    const start = client.invoke('services:start', { name: 'flood' });
    const floodRtt = await roundTrips(
      client,
      () => exited || performance.now() - t0 > 300_000,
      (snap) => {
        const flood = snap.services.find((s) => s.name === 'flood');
        if (flood?.pid) started = true;
        else if (started) exited = true;
      },
    );
    const floodSeconds = (performance.now() - t0) / 1000;
    await start;
    const floodEld = await eld(host, eldFile);
    clearInterval(rssTimer);
    rssPeak = Math.max(rssPeak, rssOf(host.pid));
    log(`responsiveness (${mode}): ${afterSeconds} s after the flood ...`);
    await sleep(afterSeconds * 1000);
    const rssAfter = rssOf(host.pid);
    return {
      mode,
      lines,
      floodSeconds: r2(floodSeconds),
      liveLinesReceived: linesSeen,
      idle: { rtt: stats(idleRtt), eld: idleEld },
      flood: { rtt: stats(floodRtt), eld: floodEld },
      rssMB: {
        idle: r2(rssIdle / MB),
        floodPeak: r2(rssPeak / MB),
        after: r2(rssAfter / MB),
        afterSeconds,
      },
    };
  } finally {
    client?.close();
    await host.stop();
    await rm(eldFile, { force: true });
  }
}

if (process.argv[1] === import.meta.filename) {
  const lines = Number(process.argv[2] ?? 2_000_000);
  const modes = process.argv[3] ? [process.argv[3]] : ['inline', 'worker'];
  for (const mode of modes) {
    const r = await measureResponsiveness({
      mode,
      lines,
      afterSeconds: 5,
      log: (m) => process.stderr.write(`${m}\n`),
    });
    console.log(JSON.stringify(r, null, 1));
  }
}
