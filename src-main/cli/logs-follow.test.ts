import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canaryKey } from '../../e2e/support/canary';
import { freePort } from '../../e2e/support/free-port';
import {
  buildCli,
  makeDataDir,
  processesWithMarker,
  removeDir,
  runCli,
  testEnv,
  type CliBuild,
} from './test-support';

const LINES = 20_000;
const fixtures = join(import.meta.dirname, '../../e2e/fixtures');

/** The e2e flooder: 20,000 lines at 20,000/s, one needle, one Anthropic-shaped key. */
const FLOODER = `  flooder:
    command: ${JSON.stringify(process.execPath)}
    args: [${JSON.stringify(join(fixtures, 'stand-in-flood.mjs'))}]
    env: { FLOOD_LINES: "${LINES}", FLOOD_RATE: "20000", FLOOD_NEEDLE_AT: "15000" }
`;

describe('stigmer-local logs -f, and colour on a terminal', () => {
  let build: CliBuild;
  let dir: string;
  let marker: string;

  beforeAll(async () => {
    build = await buildCli();
    ({ dir, marker } = await makeDataDir(await freePort(), FLOODER));
    const up = await runCli(build, dir, ['up'], { input: `${canaryKey('follow')}\n` });
    expect(up.code).toBe(0);
  }, 120_000);

  afterAll(async () => {
    await runCli(build, dir, ['down']);
    expect(await processesWithMarker(marker)).toEqual([]);
    await removeDir(dir);
    await removeDir(build.dir);
  }, 60_000);

  it('follows a flooding service live to its last line, redacted, every line shown or counted', async () => {
    // The flood ran once with the stack; stopped now, it floods again on start, while followed.
    expect((await runCli(build, dir, ['stop', 'flooder'])).code).toBe(0);
    const follow = spawn(
      process.execPath,
      [build.cli, '--user-data-dir', dir, 'logs', 'flooder', '-f', '-n', '1'],
      {
        env: testEnv(dir),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    follow.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    follow.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const closed = new Promise<number | null>((r) => follow.on('close', r));
    // The tail (-n 1) is printed after the subscription: from then on every line is live.
    while (!out.includes('\n')) {
      expect(follow.exitCode).toBeNull();
      await new Promise((r) => setTimeout(r, 50));
    }
    const start = await runCli(build, dir, ['start', 'flooder']);
    expect(start.code).toBe(0);
    while (!out.includes(`[flood] done after ${LINES} lines`)) {
      expect(follow.exitCode).toBeNull();
      await new Promise((r) => setTimeout(r, 100));
    }
    follow.kill('SIGINT');
    await closed;

    const ticks = out
      .split('\n')
      .filter((l) => / flooder (\[INFO\] tick|ERROR: failure|\{"level")/.test(l));
    const skipped = [...err.matchAll(/\[(\d+) lines skipped/g)].reduce(
      (n, m) => n + Number(m[1]),
      0,
    );
    // Every flood line but the needle and the leaked one: printed, or reported as skipped.
    expect(ticks.length + skipped).toBeGreaterThanOrEqual(LINES - 2);
    expect(out).toContain('planted needle-15000 here');
    expect(out).toContain('[redacted');
    expect(out).not.toMatch(/sk-ant-api03-A{20}/);
    expect(out).not.toContain('\u001b['); // colour only on a terminal
  }, 90_000);

  it('colours only on a terminal, and never with NO_COLOR or --no-color', async () => {
    const onTty = (env: string, flag = '') =>
      new Promise<string>((resolve) => {
        const cmd = `env ${env} ${process.execPath} ${build.cli} --user-data-dir ${dir} status ${flag}`;
        const child = spawn('script', ['-qfec', cmd, '/dev/null'], { env: testEnv(dir) });
        let screen = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => (screen += d));
        child.on('close', () => resolve(screen));
      });
    const coloured = await onTty('-u NO_COLOR');
    expect(coloured).toContain('\u001b[32mready\u001b[0m');
    expect(await onTty('NO_COLOR=1')).not.toContain('\u001b[');
    expect(await onTty('-u NO_COLOR', '--no-color')).not.toContain('\u001b[');
    const piped = await runCli(build, dir, ['status']);
    expect(piped.stdout).toMatch(/stack ready/);
    expect(piped.stdout).not.toContain('\u001b[');
  });
});
