import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServiceSpec } from '../../stack/types';
import { isProcessAlive } from '../process-group';

/** Absolute path of a fixture script. */
export function fixture(name: string): string {
  return join(import.meta.dirname, name);
}

/** A fresh temp dir (removed by `cleanup`). */
export async function makeTempDir(tracker: Tracker): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'stigmer-sup-'));
  tracker.dirs.push(dir);
  return dir;
}

/** A port that was free a moment ago (shared with the e2e suite). */
export { freePort } from '../../../../e2e/support/free-port';

/** A service definition running `service.mjs` with `args`; short timings for tests. */
export function serviceSpec(
  name: string,
  args: string[],
  over: Partial<ServiceSpec> = {},
): ServiceSpec {
  return {
    name,
    displayName: name,
    command: process.execPath,
    args: [fixture('service.mjs'), '--name', name, ...args],
    cwd: tmpdir(),
    env: {},
    dependsOn: [],
    readiness: { kind: 'none' },
    restart: {
      policy: 'never',
      initialBackoffMs: 50,
      maxBackoffMs: 200,
      crashLoopCount: 3,
      crashLoopWindowMs: 60_000,
    },
    stop: { kind: 'signal', signal: 'SIGTERM', graceMs: 300 },
    critical: true,
    ports: [],
    searched: [],
    keys: [],
    ...over,
  };
}

/** Pids and dirs a test created, so afterEach can make sure nothing leaks. */
export interface Tracker {
  pids: number[];
  dirs: string[];
}

/** A new, empty tracker. */
export function tracker(): Tracker {
  return { pids: [], dirs: [] };
}

/** SIGKILL every tracked pid (and its group) and remove the temp dirs. */
export async function cleanup(t: Tracker): Promise<void> {
  for (const pid of t.pids) {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }
  t.pids.length = 0;
  for (const dir of t.dirs) await rm(dir, { recursive: true, force: true });
  t.dirs.length = 0;
}

/** Spawn a fixture directly (not through the supervisor); resolves once it printed a line. */
export function spawnFixture(
  t: Tracker,
  script: string,
  args: string[],
  options: { detached?: boolean } = {},
): Promise<{ child: ChildProcess; firstLine: string }> {
  const child = spawn(process.execPath, [fixture(script), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: options.detached ?? false,
  });
  if (child.pid !== undefined) t.pids.push(child.pid);
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const nl = text.indexOf('\n');
      if (nl >= 0) resolve({ child, firstLine: text.slice(0, nl) });
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${script} exited early (${code})`)));
  });
}

/** Poll until `condition` holds; throws with `what` after `timeoutMs`. */
export async function eventually(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** True if the pid is a live (non-zombie) process. */
export const alive = isProcessAlive;
