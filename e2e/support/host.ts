import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { E2E_HOST, launchElectronHost } from './electron-host';

const root = resolve(import.meta.dirname, '../..');
const fixtures = join(root, 'e2e/fixtures');

/** Options for the stand-in stack written to the temp user data dir. */
export interface StandInStack {
  serverPort: number;
  runnerMode?: 'ok' | 'crash';
  crashLoopCount?: number;
  /** Leave Temporal to discovery (it is not installed here) instead of disabling it. */
  temporal?: 'disabled' | 'discover';
  /** More services, as YAML indented under `services:`. */
  extra?: string;
}

/** The stack file the e2e suite runs: stand-ins for stigmer-server and agent-runner, no Temporal. */
export function standInStackYaml(opts: StandInStack): string {
  const node = JSON.stringify(process.execPath);
  return `# written by the e2e suite
services:
${opts.temporal === 'discover' ? '' : '  temporal:\n    enabled: false\n'}  stigmer-server:
    command: ${node}
    args: [${JSON.stringify(join(fixtures, 'stand-in-server.mjs'))}]
    env:
      GRPC_PORT: "${opts.serverPort}"
    ports: [${opts.serverPort}]
    readiness: { tcp: ${opts.serverPort}, timeout: 10s }
    stop: { signal: SIGTERM, grace: 2s }
  agent-runner:
    command: ${node}
    args: [${JSON.stringify(join(fixtures, 'stand-in-runner.mjs'))}]
    depends_on: [stigmer-server]
    env:
      STIGMER_BACKEND_ENDPOINT: "http://localhost:${opts.serverPort}"
      STAND_IN_MODE: ${opts.runnerMode ?? 'ok'}
    readiness: { log: "Worker ready, polling for tasks", timeout: 10s }
    wait_for: null # the stand-in needs no Temporal
    restart:
      policy: on-failure
      backoff: 1s
      max_backoff: 4s
      crash_loop: { count: ${opts.crashLoopCount ?? 4}, window: 60s }
    stop: { signal: SIGTERM, grace: 2s }
${opts.extra ?? ''}`;
}

/** A service that floods its log (see fixtures/stand-in-flood.mjs), as extra stack YAML. */
export function floodServiceYaml(lines: number, rate: number): string {
  return `  flooder:
    command: ${JSON.stringify(process.execPath)}
    args: [${JSON.stringify(join(fixtures, 'stand-in-flood.mjs'))}]
    env: { FLOOD_LINES: "${lines}", FLOOD_RATE: "${rate}" }
`;
}

/** The developer's own keys never reach a test host. */
function withoutKeys(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...env };
  for (const name of ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY', 'CURSOR_API_KEY']) delete copy[name];
  return copy;
}

/** A key for tests that are not about keys: handed over the way a shell export would be. */
export const SHELL_KEY = { ANTHROPIC_API_KEY: `sk-ant-e2e-shell-${'0'.repeat(40)}` };

/** A running browser host with a temp user data dir. */
export interface HostHandle {
  url: string;
  userDataDir: string;
  process: ChildProcess;
  output: string[];
  stop(): Promise<number | null>;
}

/** Start `node dist/main/browser-host.js` with a temp home and the given stack file. */
export async function launchHost(
  stackYaml: string,
  extraEnv: Record<string, string> = {},
): Promise<HostHandle> {
  // E2E_HOST=electron: the real app instead (specs get its window from ./app-test's `page`).
  if (E2E_HOST === 'electron') return launchElectronHost(stackYaml, extraEnv);
  const userDataDir = await mkdtemp(join(tmpdir(), 'stigmer-e2e-'));
  await writeFile(join(userDataDir, 'stack.yaml'), stackYaml);
  const child = spawn(
    process.execPath,
    [join(root, 'dist/main/browser-host.js'), '--user-data-dir', userDataDir],
    {
      env: { ...withoutKeys(process.env), HOME: userDataDir, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const output: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (l) => output.push(`[stderr] ${l}`));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`browser host did not start:\n${output.join('\n')}`)),
      15_000,
    );
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output.push(line);
      if (line.startsWith('http://127.0.0.1:')) {
        clearTimeout(timer);
        resolveUrl(line.trim());
      }
    });
    child.once('exit', (code) =>
      reject(new Error(`browser host exited ${code}:\n${output.join('\n')}`)),
    );
  });
  return {
    url,
    userDataDir,
    process: child,
    output,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGTERM');
      const code = await exited;
      await rm(userDataDir, { recursive: true, force: true });
      return code;
    },
  };
}
