import type { Handlers } from '../../src-shared/ipc/handlers';
import type { AppCore } from './app-core-types';
import type { CoreParts } from './app-core-parts';
import { rotateKey } from './key-rotation';
import { checkKeyInput } from './key-injection';

type KeyChannels =
  'secrets:snapshot' | 'secrets:set' | 'secrets:rotate' | 'secrets:delete' | 'secrets:lock';

/** The Keys view's handlers: set, rotate (tracked as busy for updates), delete and lock keys. */
export function keyHandlers(parts: CoreParts, core: AppCore): Pick<Handlers, KeyChannels> {
  const { secrets, recorder, supervisor, busy, keysSnapshot } = parts;
  return {
    'secrets:snapshot': async () => keysSnapshot(),
    'secrets:set': async ({ name, value, remember, requireTouchId }) => {
      const input = checkKeyInput(name, value);
      // Fails with a UserError that says why when keychain or keys.json refuse; nothing changed.
      const change = await secrets.set(name, Buffer.from(input.value, 'utf8'), {
        remember,
        requireTouchId,
      });
      await recorder.settled();
      // Services waiting for this key start now; the window follows them through events.
      void supervisor.startWaiting().catch(() => undefined);
      const notice = [input.notice, change.notice].filter(Boolean).join(' ');
      return notice ? { ...keysSnapshot(), notice } : keysSnapshot();
    },
    'secrets:rotate': async ({ name, value, remember, requireTouchId }) => {
      const input = checkKeyInput(name, value);
      const before = secrets.info(name).fingerprint;
      const result = await busy.track(`A rotation of ${name}`, () =>
        rotateKey(
          { secrets, supervisor, spec: parts.loaded().spec },
          name,
          Buffer.from(input.value, 'utf8'),
          { remember, requireTouchId },
        ),
      );
      const after = secrets.info(name).fingerprint;
      await recorder.record({
        type: result.outcome === 'rotated' ? 'key.rotated' : 'key.rolled-back',
        actor: 'window',
        key: name,
        // A rotation names both values ("old->new"); a rollback the one kept.
        fingerprint:
          result.outcome === 'rotated' ? `${before ?? 'none'}->${after ?? 'none'}` : after,
        outcome: result.outcome === 'rotated' ? 'ok' : 'failed',
        detail:
          result.outcome === 'rotated'
            ? `Rotated from ${before ?? 'none'} to ${after ?? 'none'}; restarted ${result.services.join(', ') || 'nothing'}.`
            : `Kept ${after ?? 'none'}: ${result.message}`,
      });
      return { ...result, keys: keysSnapshot(), ...(input.notice ? { notice: input.notice } : {}) };
    },
    'secrets:delete': async ({ name }) => {
      // Refuses names outside the catalog before anything is changed or journalled.
      await secrets.delete(name);
      await recorder.settled();
      return keysSnapshot();
    },
    'secrets:lock': () => core.lockKeys('window'),
  };
}
