import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const root = resolve(import.meta.dirname, '../..');
const fixtures = join(root, 'e2e/fixtures');
const run = promisify(execFile);

/** A build of dist/main made for these tests in a temp dir (other builds in the tree untouched). */
export interface CliBuild {
  dir: string;
  cli: string;
}

/**
 * Build the main bundles (cli.js, browser-host.js, the capture worker) into a temp dir that
 * resolves node_modules from the repo, so the tests run the real built CLI and host.
 */
export async function buildCli(): Promise<CliBuild> {
  const dir = await mkdtemp(join(tmpdir(), 'stigmer-cli-build-'));
  await symlink(join(root, 'node_modules'), join(dir, 'node_modules'));
  await writeFile(join(dir, 'package.json'), '{"type":"module"}\n');
  const out = join(dir, 'dist/main');
  const vite = join(root, 'node_modules/vite/bin/vite.js');
  const base = [
    vite,
    'build',
    '--config',
    'vite.main.config.ts',
    '--outDir',
    out,
    '--logLevel',
    'warn',
  ];
  await run(process.execPath, base, { cwd: root });
  await run(process.execPath, [...base, '--mode', 'worker'], { cwd: root });
  return { dir, cli: join(out, 'cli.js') };
}

/** The stack the tests run: the e2e stand-ins, every child marked so a leftover can be found. */
export function testStackYaml(port: number, marker: string, extra = ''): string {
  const node = JSON.stringify(process.execPath);
  return `services:
  temporal:
    enabled: false
  stigmer-server:
    command: ${node}
    args: [${JSON.stringify(join(fixtures, 'stand-in-server.mjs'))}]
    env: { GRPC_PORT: "${port}", CLI_TEST_MARK: "${marker}" }
    ports: [${port}]
    readiness: { tcp: ${port}, timeout: 10s }
    stop: { signal: SIGTERM, grace: 2s }
  agent-runner:
    command: ${node}
    args: [${JSON.stringify(join(fixtures, 'stand-in-runner.mjs'))}]
    depends_on: [stigmer-server]
    env: { STIGMER_BACKEND_ENDPOINT: "http://localhost:${port}", STAND_IN_MODE: ok, CLI_TEST_MARK: "${marker}" }
    readiness: { log: "Worker ready, polling for tasks", timeout: 10s }
    wait_for: null
    stop: { signal: SIGTERM, grace: 2s }
${extra}`;
}

/** A temp data dir with a stack file; `marker` tags every child the stack starts. */
export async function makeDataDir(
  port: number,
  extra = '',
): Promise<{ dir: string; marker: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'stigmer-cli-'));
  const marker = `cli-test-${randomBytes(6).toString('hex')}`;
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'stack.yaml'), testStackYaml(port, marker, extra));
  return { dir, marker };
}

/** The environment every CLI and host in the tests gets: a temp HOME, no developer keys. */
export function testEnv(dir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: dir, NO_COLOR: '1', ...extra };
  for (const name of ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY', 'CURSOR_API_KEY']) delete env[name];
  delete env.DISPLAY;
  delete env.WAYLAND_DISPLAY;
  return env;
}

/** What one CLI run gave. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  pid: number;
}

/** Run `node cli.js --user-data-dir DIR ...args`, optionally writing `input` to its stdin. */
export function runCli(
  build: CliBuild,
  dir: string,
  args: string[],
  options: { input?: string; onSpawn?: (child: ChildProcess) => Promise<void> } = {},
): Promise<CliRun> {
  const child = spawn(process.execPath, [build.cli, '--user-data-dir', dir, ...args], {
    env: testEnv(dir),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<CliRun>((resolveRun) =>
    child.on('close', (code) => resolveRun({ code, stdout, stderr, pid: child.pid! })),
  );
  void (async () => {
    if (options.onSpawn) await options.onSpawn(child);
    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();
  })();
  return done;
}

/** Pids of live processes whose environment holds `marker` (a leftover service). */
export async function processesWithMarker(marker: string): Promise<number[]> {
  const found: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const env = await readFile(`/proc/${name}/environ`).catch(() => null);
    if (env?.includes(marker)) found.push(Number(name));
  }
  return found;
}

/** Live processes whose command line names `needle` (a host for this data dir). */
export async function processesNaming(needle: string): Promise<number[]> {
  const found: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const cmd = await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '');
    if (cmd.includes(needle) && cmd.includes('browser-host.js')) found.push(Number(name));
  }
  return found;
}

/** True while a process with this pid exists. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Remove a data dir once everything in it has stopped. */
export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
