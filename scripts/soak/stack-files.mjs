// The soak's stack files: valid variants of a stand-in stack (stand-in server and runner from
// e2e/fixtures, copied into the run's temp dir so that every process of this run names that
// dir, plus an optional sidecar with a grandchild) and invalid ones the app must refuse.
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');

/**
 * The sidecar: a service with a grandchild that must die with it, in its process group or,
 * with SIDECAR_SETSID=1, in a session of its own (setsid), which only a descendant sweep finds.
 */
const SIDECAR = `import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
const detached = process.env.SIDECAR_SETSID === '1';
const kid = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)', fileURLToPath(import.meta.url)], { stdio: 'ignore', detached });
console.log('[sidecar] up with grandchild ' + kid.pid);
process.on('SIGTERM', () => process.exit(0));
setInterval(() => {}, 1 << 30);
`;

/** Copy the stand-ins into `<dir>/fixtures` and return their paths. */
export async function writeFixtures(dir) {
  const fixtures = join(dir, 'fixtures');
  await mkdir(fixtures, { recursive: true });
  const paths = {
    server: join(fixtures, 'stand-in-server.mjs'),
    runner: join(fixtures, 'stand-in-runner.mjs'),
    sidecar: join(fixtures, 'sidecar.mjs'),
  };
  await copyFile(join(root, 'e2e/fixtures/stand-in-server.mjs'), paths.server);
  await copyFile(join(root, 'e2e/fixtures/stand-in-runner.mjs'), paths.runner);
  await writeFile(paths.sidecar, SIDECAR);
  return paths;
}

const q = (s) => JSON.stringify(s);

/** A valid stack file, its knobs drawn from `rng`; `ctx` has {fixtures, serverPort, setsid}. */
export function validStack(rng, ctx) {
  const node = q(process.execPath);
  const port = ctx.serverPort;
  const sidecar = rng.chance(0.5);
  const setsid = sidecar && ctx.setsid && rng.chance(0.5);
  const runnerPolicy = rng.pick(['on-failure', 'always']);
  const sidecarStop = rng.pick([
    '{ signal: SIGTERM, grace: 1s }',
    '{ signal: SIGINT, grace: 1s }',
    '{ stdin: null, grace: 300ms }',
  ]);
  const text = `# soak variant ${rng.hex(6)}
services:
  temporal:
    enabled: false
  stigmer-server:
    display_name: ${q(rng.pick(['Stigmer server', 'Server (soak)', 'stigmer-server']))}
    command: ${node}
    args: [${q(ctx.fixtures.server)}]
    env:
      GRPC_PORT: "${port}"
      STAND_IN_START_DELAY_MS: "${rng.between(20, 250)}"
    ports: [${port}]
    readiness: { tcp: ${port}, timeout: 10s }
    restart: { policy: on-failure, backoff: ${rng.between(100, 400)}ms, max_backoff: 1s, crash_loop: { count: ${rng.between(5, 12)}, window: 30s } }
    stop: { signal: SIGTERM, grace: 2s }
  agent-runner:
    command: ${node}
    args: [${q(ctx.fixtures.runner)}]
    depends_on: [stigmer-server]
    env:
      STIGMER_BACKEND_ENDPOINT: "http://localhost:${port}"
      STAND_IN_MODE: ok
    readiness: { log: "Worker ready, polling for tasks", timeout: 10s }
    restart: { policy: ${runnerPolicy}, backoff: ${rng.between(100, 500)}ms, max_backoff: 2s, crash_loop: { count: ${rng.between(4, 10)}, window: 20s } }
    stop: { signal: SIGTERM, grace: 2s }
${
  sidecar
    ? `  sidecar:
    command: ${node}
    args: [${q(ctx.fixtures.sidecar)}]
${rng.chance(0.5) ? '    depends_on: [stigmer-server]\n' : ''}${setsid ? '    env: { SIDECAR_SETSID: "1" }\n' : ''}    readiness: ${rng.pick(['none', '{ log: "up with grandchild", timeout: 5s }'])}
    restart: { policy: on-failure, backoff: 200ms, max_backoff: 1s }
    stop: ${sidecarStop}
`
    : ''
}`;
  return { kind: `valid${sidecar ? '+sidecar' : ''}${setsid ? '+setsid' : ''}`, text };
}

/** Billion laughs: few bytes, far more than 100 aliases once expanded. */
function aliasBomb() {
  const rows = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  const names = 'abcdefghi';
  for (let i = 1; i < names.length; i++) {
    const prev = names[i - 1];
    rows.push(`${names[i]}: &${names[i]} [${Array(9).fill(`*${prev}`).join(',')}]`);
  }
  return `${rows.join('\n')}\nservices: {}\n`;
}

/** An invalid stack file of a random kind; the app must refuse it and keep the last good one. */
export function invalidStack(rng, ctx) {
  const base = validStack(rng, ctx).text;
  const kind = rng.pick([
    'bad-yaml',
    'unknown-field',
    'alias-bomb',
    'key-in-env',
    'unknown-dependency',
    'cycle',
    'bad-port',
  ]);
  const texts = {
    'bad-yaml': `services:\n  stigmer-server: [unclosed\n    command: "x\n`,
    'unknown-field': base.replace('    readiness: { tcp', '    readyness: { tcp'),
    'alias-bomb': aliasBomb(),
    'key-in-env': base.replace(
      '      STAND_IN_MODE: ok',
      '      ANTHROPIC_API_KEY: "sk-ant-in-file"',
    ),
    'unknown-dependency': base.replace(
      'depends_on: [stigmer-server]',
      'depends_on: [stigmer-servr]',
    ),
    cycle: base.replace('    ports: [', '    depends_on: [agent-runner]\n    ports: ['),
    'bad-port': base.replace(`ports: [${ctx.serverPort}]`, 'ports: [70000]'),
  };
  return { kind, text: texts[kind] };
}
