import { afterEach, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { filesContaining } from '../../e2e/support/canary';
import { freePort } from '../../e2e/support/free-port';
import { missingInOrder } from '../../e2e/support/subsequence';
import type { SecretsSnapshot } from '../../src-shared/model/secret';
import type { StackSnapshot } from '../../src-shared/model/service';
import { createRouter } from '../ipc/router';
import { createAppCore } from './app-core';
import type { AppCore } from './app-core-types';
import { SessionOnlyStore } from './secrets';

const fixtures = resolve(import.meta.dirname, '../../e2e/fixtures');
let dir: string;
let core: AppCore | undefined;

afterEach(async () => {
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
    env: { STIGMER_BACKEND_ENDPOINT: "http://localhost:${port}", STAND_IN_LEAK_KEY: "1" }
    readiness: { log: "Worker ready, polling for tasks", timeout: 10s }
    wait_for: null # the stand-in needs no Temporal
`;

describe('keys through the app core', () => {
  it('waits in "needs key", injects the key into the runner only, and leaks it nowhere', async () => {
    dir = await mkdtemp(join(tmpdir(), 'stigmer-keys-'));
    await writeFile(join(dir, 'stack.yaml'), stack(await freePort()));
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH };
    core = await createAppCore({
      userDataDir: dir,
      logDir: join(dir, 'logs'),
      env,
      host: 'browser',
      version: 'test',
      nodeExecutable: process.execPath,
      nodeEnv: {},
      homeDir: dir,
      keychain: new SessionOnlyStore('No keychain in this test.'),
    });
    const seen: string[] = [];
    core.onEvent((channel, payload) => seen.push(JSON.stringify({ channel, payload })));
    const router = createRouter(core.handlers, { isTrustedSender: () => true });
    const sender = { url: 't' };

    await router.handle('stack:start', undefined, sender);
    let snap = core.snapshot();
    const runner = () => snap.services.find((s) => s.name === 'agent-runner')!;
    expect(runner().state).toBe('needs-key');
    expect(runner().neededKeys).toEqual(['ANTHROPIC_API_KEY']);
    expect(snap.services.find((s) => s.name === 'stigmer-server')!.state).toBe('ready');
    const keys0 = (await router.handle('secrets:snapshot', undefined, sender)) as {
      value: SecretsSnapshot;
    };
    expect(keys0.value.needed).toEqual(['ANTHROPIC_API_KEY']);
    expect(keys0.value.consumers.ANTHROPIC_API_KEY).toEqual(['agent-runner']);

    // A bad format is refused with advice and changes nothing.
    const bad = await router.handle(
      'secrets:set',
      {
        name: 'ANTHROPIC_API_KEY',
        value: 'sk-proj-notanthropic-000000000000000000000000',
        remember: false,
        requireTouchId: false,
      },
      sender,
    );
    expect(bad).toMatchObject({ ok: false, error: { code: 'bad-arguments' } });
    expect(JSON.stringify(bad)).not.toContain('notanthropic');

    const canary = `sk-ant-canary-${randomBytes(24).toString('hex')}`;
    const set = await router.handle(
      'secrets:set',
      { name: 'ANTHROPIC_API_KEY', value: canary, remember: true, requireTouchId: false },
      sender,
    );
    expect(set.ok).toBe(true);
    await expect
      .poll(() => ((snap = core!.snapshot()), runner().state), { timeout: 15_000 })
      .toBe('ready');

    const pid = runner().pid!;
    const serverPid = snap.services.find((s) => s.name === 'stigmer-server')!.pid!;
    const environ = await readFile(`/proc/${pid}/environ`, 'utf8');
    expect(environ.split('\0')).toContain(`ANTHROPIC_API_KEY=${canary}`); // positive control
    expect(await readFile(`/proc/${pid}/cmdline`, 'utf8')).not.toContain(canary);
    expect(await readFile(`/proc/${serverPid}/environ`, 'utf8')).not.toContain(canary);
    expect(JSON.stringify(env)).not.toContain(canary);
    expect(JSON.stringify(process.env)).not.toContain(canary);

    // The journal tells the story, in order, and verifies.
    const journal = (await router.handle('audit:list', { limit: 1000 }, sender)) as {
      value: {
        entries: { type: string; service: string | null; pid: number | null; key: string | null }[];
      };
    };
    const types = journal.value.entries.map((e) => e.type).reverse();
    const order = [
      'app.started',
      'stack.start-requested',
      'service.ready',
      'service.needs-key',
      'key.entered',
      'key.released',
      'key.delivered',
      'key.redacted',
    ];
    expect(missingInOrder(types, order)).toBeNull();
    const delivered = journal.value.entries.find((e) => e.type === 'key.delivered')!;
    expect(delivered).toMatchObject({ service: 'agent-runner', pid, key: 'ANTHROPIC_API_KEY' });
    expect(await router.handle('audit:verify', undefined, sender)).toMatchObject({
      ok: true,
      value: { ok: true },
    });

    // The runner confirms what it received by a hash it prints, never the value.
    const hash = createHash('sha256').update(canary).digest('hex').slice(0, 12);
    await core.shutdown();
    const log = await readFile(join(dir, 'logs', 'agent-runner.log'), 'utf8');
    expect(log).toContain(`key-check ANTHROPIC_API_KEY ${hash}`);
    // The runner printed its key (once whole, once split across two writes): redacted both times.
    expect(log).toContain('calling Claude with key [redacted:ANTHROPIC_API_KEY]');
    expect(log).toContain('retrying with [redacted:ANTHROPIC_API_KEY] now');
    expect(log).not.toContain(canary.slice(10));

    const all = [...seen, JSON.stringify(snap), JSON.stringify(set)].join('\n');
    expect(all).not.toContain(canary);
    expect(await filesContaining(dir, canary)).toEqual([]);
    const info = (set as { value: SecretsSnapshot }).value.keys.find(
      (k) => k.name === 'ANTHROPIC_API_KEY',
    )!;
    expect(info).toMatchObject({ set: true, source: 'session', remembered: false });
    expect(info.fingerprint).toMatch(/^fp:[0-9a-f]{12}$/);
    expect((set as { value: SecretsSnapshot }).value.keychain.available).toBe(false);
    void (snap satisfies StackSnapshot);
  });
});
