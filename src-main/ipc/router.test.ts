import { describe, expect, it } from 'vitest';
import { INVOKE_CHANNELS } from '../../src-shared/ipc/contract';
import type { StackSnapshot } from '../../src-shared/model/service';
import { UserError } from '../../src-shared/model/errors';
import { createRouter, describeChannel, isChannelShaped, type Handlers } from './router';

const trusted = { url: 'app://trusted' };
const snapshot: StackSnapshot = {
  state: 'stopped',
  services: [],
  stackFile: { path: '/x/stack.yaml', exists: false, error: null },
  version: 1,
};

/** Handlers that record every call, so tests can prove a rejected request changed nothing. */
function recordingHandlers(calls: string[]): Handlers {
  const reply = (name: string) => async (args: unknown) => {
    calls.push(`${name} ${JSON.stringify(args)}`);
    return snapshot;
  };
  return {
    'app:info': async () => {
      calls.push('app:info');
      return {
        version: '1',
        platform: 'linux',
        host: 'browser',
        userDataDir: '/u',
        logDir: '/l',
        canLaunchAtLogin: false,
        canPickFiles: false,
      };
    },
    'stack:snapshot': reply('stack:snapshot'),
    'stack:start': reply('stack:start'),
    'stack:stop': reply('stack:stop'),
    'stack:reload': reply('stack:reload'),
    'services:start': reply('services:start'),
    'services:stop': reply('services:stop'),
    'logs:tail': reply('logs:tail') as never,
    'logs:open-folder': reply('logs:open-folder') as never,
    'audit:list': reply('audit:list') as never,
    'audit:verify': reply('audit:verify') as never,
    'audit:retry': reply('audit:retry'),
    'settings:get': reply('settings:get') as never,
    'settings:set': reply('settings:set') as never,
    'settings:pick-program': reply('settings:pick-program') as never,
    'secrets:snapshot': reply('secrets:snapshot') as never,
    'secrets:set': reply('secrets:set') as never,
    'secrets:delete': reply('secrets:delete') as never,
    'secrets:rotate': reply('secrets:rotate') as never,
    'secrets:lock': reply('secrets:lock') as never,
    'ui:take-key-dialog-request': reply('ui:take-key-dialog-request') as never,
    'secrets:import-scan': reply('secrets:import-scan') as never,
    'secrets:import': reply('secrets:import') as never,
    'diagnostics:save': reply('diagnostics:save') as never,
    'diagnostics:open-folder': reply('diagnostics:open-folder') as never,
    'app:quit': reply('app:quit') as never,
    'app:show': reply('app:show') as never,
    'cli:install': reply('cli:install') as never,
    'updates:status': reply('updates:status') as never,
    'updates:check': reply('updates:check') as never,
    'updates:install': reply('updates:install') as never,
    'services:restart': async (args) => {
      if (args.name === 'nope') throw new UserError('not-found', 'There is no service "nope".');
      if (args.name === 'boom') throw new Error('disk on fire');
      calls.push(`services:restart ${args.name}`);
      return snapshot;
    },
  };
}

describe('router', () => {
  const make = () => {
    const calls: string[] = [];
    const internal: string[] = [];
    const router = createRouter(recordingHandlers(calls), {
      isTrustedSender: (s) => s.url === trusted.url,
      onInternalError: (channel) => internal.push(channel),
    });
    return { calls, internal, router };
  };

  it('routes a valid request to its handler and wraps the value', async () => {
    const { router, calls } = make();
    expect(await router.handle('services:start', { name: 'agent-runner' }, trusted)).toEqual({
      ok: true,
      value: snapshot,
    });
    expect(calls).toEqual(['services:start {"name":"agent-runner"}']);
  });

  it('refuses an untrusted sender before parsing or calling anything', async () => {
    const { router, calls } = make();
    const result = await router.handle('stack:start', undefined, { url: 'https://evil.example/' });
    expect(result).toMatchObject({ ok: false, error: { code: 'untrusted-sender' } });
    expect(calls).toEqual([]);
  });

  it.each([['secrets:dump'], ['__proto__'], ['constructor'], [42], [null]])(
    'rejects unknown channel %s with a clear error and changes nothing',
    async (channel) => {
      const { router, calls } = make();
      const result = await router.handle(channel, undefined, trusted);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.error.code).toBe('unknown-channel');
        expect(result.error.message).toMatch(/Unknown channel/);
      }
      expect(calls).toEqual([]);
    },
  );

  it.each([
    ['services:start', undefined, /arguments/],
    ['services:start', { name: 'Agent Runner' }, /name: a service name is lower-case/],
    ['services:start', { name: 'ok', extra: 1 }, /Unrecognized key/i],
    ['services:stop', { name: 7 }, /name:/],
    ['stack:start', { force: true }, /arguments/],
  ] as const)(
    'rejects malformed arguments for %s (%j) and changes nothing',
    async (channel, args, why) => {
      const { router, calls } = make();
      const result = await router.handle(channel, args, trusted);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.error.code).toBe('bad-arguments');
        expect(result.error.message).toContain(`Invalid arguments for ${channel}`);
        expect(result.error.message).toMatch(why);
      }
      expect(calls).toEqual([]);
    },
  );

  it('never echoes a key value in an argument error', async () => {
    const { router, calls } = make();
    const canary = `sk-ant-canary-${'x'.repeat(5000)}`;
    const result = await router.handle(
      'secrets:set',
      { name: 'ANTHROPIC_API_KEY', value: canary, remember: 'yes', requireTouchId: false },
      trusted,
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'bad-arguments' } });
    expect(JSON.stringify(result)).not.toContain('sk-ant-canary');
    expect(JSON.stringify(result)).toMatch(/value: the key is longer than 4096/);
    expect(calls).toEqual([]);
  });

  it('passes a UserError through as advice and hides nothing else', async () => {
    const { router, internal } = make();
    expect(await router.handle('services:restart', { name: 'nope' }, trusted)).toEqual({
      ok: false,
      error: { code: 'not-found', message: 'There is no service "nope".' },
    });
    const boom = await router.handle('services:restart', { name: 'boom' }, trusted);
    expect(boom).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(internal).toEqual(['services:restart']);
  });

  it('every contract channel has the printable `domain:verb` shape the hosts check first', () => {
    for (const channel of INVOKE_CHANNELS) expect(isChannelShaped(channel)).toBe(true);
  });

  it('answers hostile channels without converting them: deep arrays, huge strings, objects', async () => {
    const { router, calls } = make();
    let deep: unknown = 'x';
    for (let i = 0; i < 5000; i++) deep = [deep];
    const throwing = {
      toString() {
        throw new Error('boom');
      },
    };
    const huge = `services:${'a'.repeat(1_000_000)}`;
    for (const channel of [deep, throwing, huge, 'BAD:Channel', 'a:b\n', Symbol('x'), 10n]) {
      const result = await router.handle(channel, undefined, trusted);
      expect(result).toMatchObject({ ok: false, error: { code: 'unknown-channel' } });
      if (!result.ok) expect(result.error.message.length).toBeLessThan(200);
    }
    expect(describeChannel(deep)).toBe('an array');
    expect(describeChannel(huge)).toBe('a 1000009-character string that is not a channel name');
    expect(calls).toEqual([]);
  });

  it('clips untrusted text that zod echoes (unknown keys) to a short line', async () => {
    const { router } = make();
    const args: Record<string, number> = { name: 1 };
    for (let i = 0; i < 500; i++) args[`key-${i}-${'k'.repeat(200)}\n`] = i;
    const result = await router.handle('services:start', args, trusted);
    expect(result).toMatchObject({ ok: false, error: { code: 'bad-arguments' } });
    if (!result.ok) {
      expect(result.error.message.length).toBeLessThan(1500);
      expect(result.error.message).not.toContain('\n');
    }
  });

  it('never rejects: a throwing sender check or reporter still gives an answer', async () => {
    const router = createRouter(recordingHandlers([]), {
      isTrustedSender: () => {
        throw new Error('sender check broke');
      },
      onInternalError: () => {
        throw new Error('reporter broke');
      },
    });
    const result = await router.handle('stack:snapshot', undefined, trusted);
    expect(result).toMatchObject({ ok: false, error: { code: 'internal' } });
    if (!result.ok) expect(result.error.message).toContain('sender check broke');
  });

  it('has a handler for every contract channel in the test table', () => {
    expect(Object.keys(recordingHandlers([])).sort()).toEqual([...INVOKE_CHANNELS].sort());
  });
});
