import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ServiceSpec } from '../stack/types';
import { TAG_VARIABLE, newTag, signalEscapees } from './descendants';
import { readPidFile, pidFilePath, reclaimOrphans } from './pid-file';
import { processStartTicks } from './process-group';
import { ServiceProcess } from './service-process';
import {
  alive,
  cleanup,
  eventually,
  fixture,
  makeTempDir,
  serviceSpec,
  spawnFixture,
  tracker,
  type Tracker,
} from './test-fixtures/helpers';

// Real processes: a service (escaper.mjs) whose helpers leave its process group the ways real
// daemons do, then Stop. Linux only: elsewhere the sweep is a documented no-op.
const linux = process.platform === 'linux';
const setsidBin = ['/usr/bin/setsid', '/bin/setsid'].find((p) => existsSync(p));

let t: Tracker;
let dir: string;
let services: ServiceProcess[];

beforeEach(async () => {
  t = tracker();
  dir = await makeTempDir(t);
  services = [];
});

afterEach(async () => {
  await Promise.all(services.map((s) => s.stop()));
  await cleanup(t);
});

function escaperSpec(name: string, args: string[], over: Partial<ServiceSpec> = {}): ServiceSpec {
  return serviceSpec(name, [], {
    args: [fixture('escaper.mjs'), ...args],
    // PATH for util-linux's setsid; nothing else of the test's environment.
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    readiness: { kind: 'log', stream: 'stdout', pattern: '^ready$', timeoutMs: 15_000 },
    ...over,
  });
}

function service(spec: ServiceSpec): ServiceProcess {
  const sp: ServiceProcess = new ServiceProcess(spec, {
    runDir: join(dir, 'run'),
    now: Date.now,
    random: () => 0.5,
    prepareEnv: (s) => Promise.resolve({ ...s.env }),
    onChange: () => {
      const pid = sp.status().pid;
      if (pid !== null && !t.pids.includes(pid)) t.pids.push(pid);
    },
    onOutput: () => undefined,
  });
  services.push(sp);
  return sp;
}

/** The pid a helper wrote, tracked for cleanup. */
function helperPid(file: string): number {
  const pid = Number(readFileSync(file, 'utf8'));
  t.pids.push(pid);
  return pid;
}

/** Process group and session of a live pid (fields 5 and 6 of /proc/<pid>/stat). */
function groupOf(pid: number): { pgid: number; sid: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { pgid: Number(f[2]), sid: Number(f[3]) };
}

/** An unrelated process started after the service, optionally carrying some other tag. */
async function bystander(env: Record<string, string> = {}): Promise<number> {
  const { child } = await spawnFixture(t, 'sleeper.mjs', [], { detached: true });
  if (Object.keys(env).length === 0) return child.pid!;
  const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60000)'], {
    detached: true,
    stdio: 'ignore',
    env: { ...env },
  });
  t.pids.push(other.pid!);
  await eventually(() => processStartTicks(other.pid!) !== null, 'bystander up');
  return other.pid!;
}

/** Polls until every named process is gone (a zombie counts as gone); names the one that is not. */
async function expectAllGone(pids: Record<string, number>): Promise<void> {
  for (const [what, pid] of Object.entries(pids)) {
    await eventually(() => !alive(pid), `${what} (pid ${pid}) gone`);
  }
}

describe.runIf(linux)('descendant sweep at stop (Linux)', () => {
  it('stops a setsid grandchild and a double-fork daemon; bystanders live on', async () => {
    const files = { setsid: join(dir, 'setsid.pid'), daemon: join(dir, 'daemon.pid') };
    const sp = service(
      escaperSpec('esc', ['--setsid', files.setsid, '--double-fork', files.daemon]),
    );
    expect(await sp.start()).toBe('ready');
    const root = sp.status().pid!;
    const grandchild = helperPid(files.setsid);
    const daemon = helperPid(files.daemon);
    // The escape is real: neither is in the service's group, which is all a group signal hits.
    for (const pid of [grandchild, daemon]) expect(groupOf(pid).pgid).not.toBe(root);
    await eventually(() => readFileSync(`/proc/${daemon}/stat`, 'utf8').length > 0, 'daemon');
    const plain = await bystander();
    const otherTag = await bystander({ [TAG_VARIABLE]: 'f'.repeat(32) });

    await sp.stop();
    await expectAllGone({ root, grandchild, daemon });
    expect(alive(plain)).toBe(true);
    expect(alive(otherTag)).toBe(true);
  });

  it('SIGKILLs helpers that ignore SIGTERM, util-linux setsid and a tagless one too', async () => {
    const files = {
      bare: join(dir, 'bare.pid'),
      daemon: join(dir, 'daemon.pid'),
      bin: join(dir, 'bin.pid'),
    };
    const args = ['--ignore-sigterm', '--bare-setsid', files.bare, '--double-fork', files.daemon];
    if (setsidBin) args.push('--setsid-bin', files.bin);
    const sp = service(escaperSpec('stubborn', args));
    expect(await sp.start()).toBe('ready');
    const helpers: Record<string, number> = {
      tagless: helperPid(files.bare),
      daemon: helperPid(files.daemon),
      ...(setsidBin ? { 'util-linux setsid': helperPid(files.bin) } : {}),
    };
    const pids = Object.values(helpers);
    // The tagless one can only be found from ancestry (its parent, the service, is alive).
    expect(readFileSync(`/proc/${helpers.tagless}/environ`).includes(TAG_VARIABLE)).toBe(false);
    const root = sp.status().pid!;
    // Each left the service's session (and so its group): a group signal cannot reach them.
    for (const pid of pids) expect(groupOf(pid).sid).not.toBe(root);

    await sp.stop();
    await expectAllGone(helpers);
    expect(sp.lastExit).not.toBeNull();
  });

  it('a crash of the service takes its escaped helpers down too', async () => {
    const file = join(dir, 'setsid.pid');
    const sp = service(escaperSpec('crashy', ['--setsid', file]));
    expect(await sp.start()).toBe('ready');
    const grandchild = helperPid(file);
    process.kill(sp.status().pid!, 'SIGKILL');
    await eventually(() => sp.currentState === 'crashed', 'service seen as crashed');
    await expectAllGone({ grandchild });
  });

  it('never signals a pid whose start time differs from the one recorded', async () => {
    const pid = await bystander();
    const start = processStartTicks(pid)!;
    signalEscapees([{ pid, start: start + 1, leadsGroup: true }], 'SIGKILL');
    await new Promise((r) => setTimeout(r, 100));
    expect(alive(pid)).toBe(true);
    // The same call with the right start time does kill it: the check above is not vacuous.
    signalEscapees([{ pid, start, leadsGroup: true }], 'SIGKILL');
    await expectAllGone({ 'matching process': pid });
  });
});

describe.runIf(linux)('reclaim after the app died (Linux)', () => {
  it('reaches the double-fork daemon of a dead leader through the tag in its pid file', async () => {
    const runDir = join(dir, 'run');
    const file = join(dir, 'daemon.pid');
    const tag = newTag();
    const { child: parent, firstLine } = await spawnFixture(t, 'tagged-orphan-parent.mjs', [
      runDir,
      'orphan',
      tag,
      fixture('escaper.mjs'),
      '--double-fork',
      file,
    ]);
    const leader = Number(firstLine.split(' ')[1]);
    t.pids.push(leader);
    await eventually(() => existsSync(file), 'daemon pid file');
    const daemon = helperPid(file);
    expect((await readPidFile(pidFilePath(runDir, 'orphan')))?.tag).toBe(tag);
    // The app dies, then its service (a group kill, as reclaim would do): only the daemon is left,
    // and nothing but the tag ties it to the service.
    parent.kill('SIGKILL');
    process.kill(-leader, 'SIGKILL');
    await expectAllGone({ leader });
    expect(groupOf(daemon).sid).not.toBe(leader);
    const plain = await bystander();

    const results = await reclaimOrphans(runDir, { graceMs: 500 });
    expect(results).toEqual([{ name: 'orphan', pid: leader, action: 'stale' }]);
    await expectAllGone({ daemon });
    expect(alive(plain)).toBe(true);
  });
});
