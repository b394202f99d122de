// Readiness latency through the real browser host: two services, one ready when its TCP port
// opens and one on a log line, are started together `starts` times. Each child writes the
// wall-clock moment its port opened / its line was printed (bench/ready-child.mjs); the latency
// is the host's readyAt for it minus that moment (both Date-based wall clocks on one machine,
// so ~1 ms resolution). The child waits READY_DELAY_MS first, so the probe is already waiting.
//
// `node bench/readiness.mjs [starts]` runs it alone (BENCH_DIST picks the build).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { NO_DEFAULTS, connect, freePort, percentile, root, sleep, startHost } from './host.mjs';

async function readinessStackYaml(markDir) {
  const node = JSON.stringify(process.execPath);
  const child = JSON.stringify(path.join(root, 'bench/ready-child.mjs'));
  const port = await freePort();
  const mark = (name) => JSON.stringify(path.join(markDir, `${name}.mark`));
  return `${NO_DEFAULTS}  tcp-child:
    command: ${node}
    args: [${child}]
    env: { READY_MODE: tcp, READY_PORT: "${port}", READY_MARK_FILE: ${mark('tcp-child')} }
    readiness: { tcp: ${port}, timeout: 20s }
    restart: { policy: never }
    stop: { signal: SIGTERM, grace: 2s }
  log-child:
    command: ${node}
    args: [${child}]
    env: { READY_MODE: log, READY_MARK_FILE: ${mark('log-child')} }
    readiness: { log: 'bench child ready', stream: stdout, timeout: 20s }
    restart: { policy: never }
    stop: { signal: SIGTERM, grace: 2s }
`;
}

const NAMES = ['tcp-child', 'log-child'];

async function waitState(client, name, states, timeoutMs = 20_000) {
  const t0 = Date.now();
  for (;;) {
    const r = await client.invoke('stack:snapshot');
    const s = r.ok ? r.value.services.find((x) => x.name === name) : undefined;
    if (s && states.includes(s.state)) return s;
    if (Date.now() - t0 > timeoutMs) {
      throw new Error(`${name} did not reach ${states.join('/')} (is ${s?.state ?? 'missing'})`);
    }
    await sleep(20);
  }
}

const r1 = (x) => Math.round(x * 10) / 10;

/**
 * The child's moment; the TCP child writes it in its 'listening' callback, which can run after
 * the host already connected and saw it ready, so wait a little for the file.
 */
async function readMark(file) {
  for (let i = 0; i < 100; i++) {
    const text = await readFile(file, 'utf8').catch(() => '');
    if (text !== '') return Number(text);
    await sleep(10);
  }
  throw new Error(`the child wrote no time into ${file} within 1 s of being seen ready`);
}

/** Median and p99 (ms) of readiness latency for a tcp and a log-line probe over `starts`. */
export async function measureReadiness({ starts = 50, log = () => {} } = {}) {
  const markDir = await mkdtemp(path.join(os.tmpdir(), 'stigmer-bench-ready-'));
  const host = await startHost({ stackYaml: await readinessStackYaml(markDir) });
  const client = await connect(host.url);
  const latencies = { 'tcp-child': [], 'log-child': [] };
  try {
    log(`readiness: ${starts} starts of a tcp and a log-line service ...`);
    for (let i = 0; i < starts; i++) {
      for (const name of NAMES) await rm(path.join(markDir, `${name}.mark`), { force: true });
      await Promise.all(NAMES.map((name) => client.invoke('services:start', { name })));
      for (const name of NAMES) {
        const s = await waitState(client, name, ['ready', 'failed', 'crashed']);
        if (s.state !== 'ready' || s.readyAt === null) throw new Error(`${name} is ${s.state}`);
        const mark = await readMark(path.join(markDir, `${name}.mark`));
        latencies[name].push(s.readyAt - mark);
      }
      await Promise.all(NAMES.map((name) => client.invoke('services:stop', { name })));
      for (const name of NAMES) await waitState(client, name, ['stopped', 'crashed', 'failed']);
    }
  } finally {
    client.close();
    await host.stop();
    await rm(markDir, { recursive: true, force: true });
  }
  const summary = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return {
      starts: s.length,
      medianMs: r1(percentile(s, 50)),
      p99Ms: r1(percentile(s, 99)),
      maxMs: r1(s.at(-1) ?? 0),
    };
  };
  return { tcp: summary(latencies['tcp-child']), log: summary(latencies['log-child']) };
}

if (process.argv[1] === import.meta.filename) {
  const starts = Number(process.argv[2] ?? 50);
  const r = await measureReadiness({ starts, log: (m) => process.stderr.write(`${m}\n`) });
  console.log(JSON.stringify(r));
}
