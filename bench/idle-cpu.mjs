// Idle CPU of the host: a real browser host runs a stack of three idle services (two TCP
// servers and a runner ready on a log line), nothing prints, and we read the host's own
// utime + stime from /proc/<pid>/stat over `seconds`. Measured with nobody looking (no window
// connected: the tray app in the background) and with one window connected and visible.
//
// `node bench/idle-cpu.mjs [seconds]` runs it alone (BENCH_DIST picks the build).
import path from 'node:path';
import {
  NO_DEFAULTS,
  connect,
  cpuMsOf,
  freePort,
  root,
  sleep,
  startHost,
  waitReady,
} from './host.mjs';

const node = JSON.stringify(process.execPath);
const fixture = (name) => JSON.stringify(path.join(root, 'e2e/fixtures', name));

/** Three idle services: two TCP stand-in servers and a stand-in runner (log-line readiness). */
export async function idleStackYaml() {
  const [a, b] = [await freePort(), await freePort()];
  return `${NO_DEFAULTS}  server-a:
    command: ${node}
    args: [${fixture('stand-in-server.mjs')}]
    env: { GRPC_PORT: "${a}", STAND_IN_START_DELAY_MS: "0" }
    readiness: { tcp: ${a}, timeout: 20s }
  server-b:
    command: ${node}
    args: [${fixture('stand-in-server.mjs')}]
    env: { GRPC_PORT: "${b}", STAND_IN_START_DELAY_MS: "0" }
    readiness: { tcp: ${b}, timeout: 20s }
  runner:
    command: ${node}
    args: [${fixture('stand-in-runner.mjs')}]
    env: { STIGMER_BACKEND_ENDPOINT: "http://127.0.0.1:${a}" }
    depends_on: [server-a]
    readiness: { log: 'Worker ready, polling for tasks', stream: stdout, timeout: 20s }
`;
}

const IDLE_NAMES = ['server-a', 'server-b', 'runner'];

/** CPU of `pid` over `seconds`: utime + stime from /proc/<pid>/stat (10 ms ticks). */
async function cpuOver(pid, seconds) {
  const cpu0 = cpuMsOf(pid);
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const cpuMs = cpuMsOf(pid) - cpu0;
  const wallMs = performance.now() - t0;
  return { seconds: wallMs / 1000, cpuMs, cpuPercent: (100 * cpuMs) / wallMs };
}

/**
 * CPU% of the host process (100 = one core) over `seconds` with nobody looking (no window
 * connected), after `settleSeconds` with the stack ready: V8 keeps compiling and shrinking its
 * heap for ~30 s after a start, which is start-up, not idle. Then, with `window`, a page connects
 * (the browser host counts a connected page as looking) and the same is measured again.
 */
export async function measureIdleCpu({
  seconds = 60,
  settleSeconds = 30,
  window = true,
  env = {},
  nodeArgs = [],
  log = () => {},
} = {}) {
  const host = await startHost({
    stackYaml: await idleStackYaml(),
    env,
    nodeArgs,
    args: ['--start-stack'],
  });
  let client = null;
  try {
    client = await connect(host.url);
    await waitReady(client, IDLE_NAMES);
    client.close();
    client = null;
    await sleep(settleSeconds * 1000);
    log(`idle cpu: ${seconds} s, nobody looking ...`);
    const nobodyLooking = await cpuOver(host.pid, seconds);
    if (!window) return { nobodyLooking, windowLooking: null };
    client = await connect(host.url);
    await sleep(2000); // the first samples after a look starts are part of looking, not of idle
    log(`idle cpu: ${seconds} s, a window looking ...`);
    const windowLooking = await cpuOver(host.pid, seconds);
    return { nobodyLooking, windowLooking };
  } finally {
    client?.close();
    await host.stop();
  }
}

if (process.argv[1] === import.meta.filename) {
  const seconds = Number(process.argv[2] ?? 60);
  const r = await measureIdleCpu({ seconds, log: (m) => process.stderr.write(`${m}\n`) });
  console.log(JSON.stringify(r));
}
