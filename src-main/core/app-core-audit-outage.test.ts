import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { canaryKey, filesContaining } from '../../e2e/support/canary';
import { freePort } from '../../e2e/support/free-port';
import type { AuditEntry, VerifyResult } from '../../src-shared/model/audit';
import type { StackSnapshot } from '../../src-shared/model/service';
import { createRouter } from '../ipc/router';
import { createAppCore } from './app-core';
import type { AppCore } from './app-core-types';
import { immutableSupport, makeImmutable } from './audit/test-outage';
import { SessionOnlyStore } from './secrets';

// Fail closed, end to end: the real core, real stand-in children, and a journal made really
// unwritable (immutable file and folder; root only, see audit/test-outage.ts).
const immutable = await immutableSupport();

const fixtures = resolve(import.meta.dirname, '../../e2e/fixtures');
let dir: string;
let core: AppCore | undefined;
let unlock: (() => Promise<void>) | null = null;

afterEach(async () => {
  await unlock?.().catch(() => undefined);
  unlock = null;
  await core?.shutdown();
  core = undefined;
  await rm(dir, { recursive: true, force: true });
});

const stack = (port: number) => `services:
  temporal: { enabled: false }
  stigmer-server:
    command: ${JSON.stringify(process.execPath)}
    args: [${JSON.stringify(join(fixtures, 'stand-in-server.mjs'))}]
    env: { GRPC_PORT: "${port}" }
    ports: [${port}]
    readiness: { tcp: ${port}, timeout: 10s }
  agent-runner:
    command: ${JSON.stringify(process.execPath)}
    args: [${JSON.stringify(join(fixtures, 'stand-in-runner.mjs'))}]
    depends_on: [stigmer-server]
    env: { STIGMER_BACKEND_ENDPOINT: "http://localhost:${port}" }
    readiness: { log: "Worker ready, polling for tasks", timeout: 10s }
    wait_for: null # the stand-in needs no Temporal
`;

/** Pids of every process on the machine whose environment holds `needle` (Linux /proc). */
async function pidsHolding(needle: string): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if ((await readFile(`/proc/${name}/environ`)).includes(Buffer.from(needle))) {
        pids.push(Number(name));
      }
    } catch {
      // Gone, or a kernel thread: not a holder.
    }
  }
  return pids;
}

/** A running core with the key set and the whole stack ready; the runner holds the canary. */
async function readyStack() {
  dir = await mkdtemp(join(tmpdir(), 'stigmer-failclosed-'));
  await writeFile(join(dir, 'stack.yaml'), stack(await freePort()));
  core = await createAppCore({
    userDataDir: dir,
    logDir: join(dir, 'logs'),
    env: { PATH: process.env.PATH },
    host: 'browser',
    version: 'test',
    nodeExecutable: process.execPath,
    nodeEnv: {},
    homeDir: dir,
    keychain: new SessionOnlyStore('No keychain in this test.'),
    usageIntervalMs: 0,
  });
  const live = core;
  const events: string[] = [];
  live.onEvent((channel, payload) => events.push(JSON.stringify({ channel, payload })));
  const router = createRouter(live.handlers, { isTrustedSender: () => true });
  const sender = { url: 't' };
  const call = (channel: string, args?: unknown) =>
    router.handle(channel as never, args as never, sender) as Promise<
      { ok: true; value: unknown } | { ok: false; error: { code: string; message: string } }
    >;
  const runner = () => live.snapshot().services.find((s) => s.name === 'agent-runner')!;

  const canary = canaryKey('failclosed');
  expect(
    await call('secrets:set', {
      name: 'ANTHROPIC_API_KEY',
      value: canary,
      remember: false,
      requireTouchId: false,
    }),
  ).toMatchObject({ ok: true });
  expect(await call('stack:start')).toMatchObject({ ok: true });
  expect(runner().state).toBe('ready');
  const firstPid = runner().pid!;
  // Positive control: the key is where it belongs, and the scan can see it.
  expect(await pidsHolding(canary)).toEqual([firstPid]);
  return { live, events, call, runner, canary, firstPid };
}

describe('fail closed: no key leaves without a durable record', () => {
  it.skipIf(immutable !== null || process.platform !== 'linux')(
    `a crashed runner restarting while the journal is unwritable is held, with Retry${immutable ? ` (skipped: ${immutable})` : ''}`,
    async () => {
      const { live, events, call, runner, canary, firstPid } = await readyStack();

      // The disk says no: the journal's file and folder become immutable (EPERM on write).
      const lock = await makeImmutable(join(dir, 'audit'));
      unlock = lock.restore;
      process.kill(firstPid, 'SIGKILL');
      await expect.poll(() => runner().state, { timeout: 15_000 }).toBe('held');

      const held = runner();
      expect(held.pid).toBeNull();
      expect(held.heldReason).toMatch(
        /^Audit journal cannot be written: EPERM: operation not permitted .*\. Keys are held back until it can\. Free disk space or make the audit folder \(.*audit\) writable, then press Retry\.$/,
      );
      expect(held.lastError).toBe(held.heldReason);
      // No process got the key: the crashed child is gone and no new one was spawned.
      expect(await pidsHolding(canary)).toEqual([]);
      // Held is a resting state: no backoff timer, nothing retried behind the user's back.
      expect(held.nextRestartAt).toBeNull();
      const restartsWhileHeld = held.restarts;
      await new Promise((r) => setTimeout(r, 1500));
      expect(runner()).toMatchObject({ state: 'held', pid: null, restarts: restartsWhileHeld });
      // The window was told (services:changed carries the state and the reason).
      expect(
        events.some((e) => e.includes('"state":"held"') && e.includes('Keys are held back')),
      ).toBe(true);

      // Verify does not say OK while entries are missing.
      const during = (await call('audit:verify')) as { ok: true; value: VerifyResult };
      expect(during.value).toMatchObject({ ok: false, gap: true });
      expect(!during.value.ok && during.value.reason).toMatch(
        /^\d+ entr(y|ies) could not be written between .* \(EPERM: operation not permitted .*\)\. They are missing from the journal after entry #\d+/,
      );

      // Retry while it still cannot be written: refused with the same advice; still held.
      const refused = await call('audit:retry');
      expect(refused).toMatchObject({ ok: false, error: { code: 'failed' } });
      expect(!refused.ok && refused.error.message).toMatch(
        /^Audit journal cannot be written: EPERM/,
      );
      expect(runner().state).toBe('held');
      expect(await pidsHolding(canary)).toEqual([]);

      // Writable again: Retry records the gap and starts the held runner with its key.
      await lock.restore();
      unlock = null;
      const retried = await call('audit:retry');
      expect(retried).toMatchObject({ ok: true });
      expect((retried as { value: StackSnapshot }).value.services.map((s) => s.state)).toEqual([
        'ready',
        'ready',
      ]);
      const newPid = runner().pid!;
      expect(newPid).not.toBe(firstPid);
      expect(await pidsHolding(canary)).toEqual([newPid]);

      const after = (await call('audit:verify')) as { ok: true; value: VerifyResult };
      expect(after.value).toMatchObject({
        ok: true,
        gaps: [{ reason: expect.stringMatching(/^EPERM: /), recordedSeq: expect.any(Number) }],
      });
      const gap = after.value.gaps![0]!;
      expect(gap.count).toBeGreaterThanOrEqual(2); // at least the crash and the key release
      const list = (await call('audit:list', { limit: 1000 })) as {
        value: { entries: AuditEntry[] };
      };
      const entries = [...list.value.entries].reverse();
      const gapAt = entries.findIndex((e) => e.type === 'journal.gap');
      expect(entries[gapAt]).toMatchObject({ seq: gap.recordedSeq, actor: 'window' });
      // The new child's key release and delivery come after the gap entry, for the new pid.
      const later = entries.slice(gapAt + 1);
      expect(later.some((e) => e.type === 'key.released')).toBe(true);
      expect(later.find((e) => e.type === 'key.delivered')).toMatchObject({
        service: 'agent-runner',
        pid: newPid,
      });
      // The first child's delivery is the only one before the gap: none for a held spawn.
      expect(entries.slice(0, gapAt).filter((e) => e.type === 'key.delivered')).toHaveLength(1);

      await live.shutdown();
      core = undefined;
      expect(events.join('\n')).not.toContain(canary);
      expect(await filesContaining(dir, canary)).toEqual([]);
    },
    60_000,
  );

  it.skipIf(immutable !== null || process.platform !== 'linux')(
    `without Retry: the first entry written once the disk allows it records the gap and starts the held runner${immutable ? ` (skipped: ${immutable})` : ''}`,
    async () => {
      const { call, runner, canary, firstPid } = await readyStack();
      const lock = await makeImmutable(join(dir, 'audit'));
      unlock = lock.restore;
      process.kill(firstPid, 'SIGKILL');
      await expect.poll(() => runner().state, { timeout: 15_000 }).toBe('held');
      expect(await pidsHolding(canary)).toEqual([]);

      await lock.restore();
      unlock = null;
      // Any action that is journalled finds the journal writable again (here: a start request
      // for the server, which is already running).
      expect(await call('services:start', { name: 'stigmer-server' })).toMatchObject({ ok: true });
      await expect.poll(() => runner().state, { timeout: 15_000 }).toBe('ready');
      expect(await pidsHolding(canary)).toEqual([runner().pid]);
      const list = (await call('audit:list', { limit: 1000 })) as {
        value: { entries: AuditEntry[] };
      };
      const types = [...list.value.entries].reverse().map((e) => e.type);
      const gapAt = types.indexOf('journal.gap');
      expect(gapAt).toBeGreaterThan(0);
      expect(types[gapAt + 1]).toBe('service.start-requested');
      expect(types.slice(gapAt)).toContain('key.delivered');
      expect(await call('audit:verify')).toMatchObject({ ok: true, value: { ok: true } });
    },
    60_000,
  );
});
