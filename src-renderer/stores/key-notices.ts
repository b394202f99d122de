import type { SecretsSnapshot, StaleConsumer } from '../../src-shared/model/secret';

/** What "Lock keys" means with this keychain (shown in its confirmation). */
export function lockExplanation(keys: SecretsSnapshot): string {
  const remembered = keys.keys.some((k) => k.remembered);
  const touchId = keys.keys.some((k) => k.remembered && k.requireTouchId);
  const forget = 'Every key is forgotten from this app’s memory now.';
  if (!keys.keychain.available || !remembered) {
    return `${forget} None is remembered in a keychain, so you will enter them again before the services that need them can start.`;
  }
  return (
    `${forget} Keys remembered in the system keychain (${keys.keychain.backend}) stay there and ` +
    `are fetched again${touchId ? ', after Touch ID where you turned it on,' : ''} the next time ` +
    'a service that needs them starts. To stop that, delete the key instead.'
  );
}

/** The feedback after a lock: done, and what happens next. */
export function lockedNotice(keys: SecretsSnapshot): string {
  const back = keys.keys.filter((k) => k.remembered).map((k) => k.name);
  const next =
    back.length > 0 && keys.keychain.available
      ? ` ${back.join(', ')} will be fetched again from ${keys.keychain.backend} at the next start of a service that needs ${back.length > 1 ? 'them' : 'it'}.`
      : ' Enter them again before the next start.';
  return `Keys locked: forgotten from memory.${next}`;
}

const HOW: Record<StaleConsumer['reason'], string> = {
  deleted: 'the deleted',
  locked: 'the locked',
  replaced: 'the previous',
};

/** "Agent runner is still running with the deleted ANTHROPIC_API_KEY (pid 42). …" */
export function staleSentence(c: StaleConsumer, displayName: string = c.service): string {
  return `${displayName} is still running with ${HOW[c.reason]} ${c.key} (pid ${c.pid}). It keeps that value until it is restarted.`;
}

/** The running services that got `key`, for the delete confirmation. */
export function runningConsumers(
  keys: SecretsSnapshot,
  key: string,
  running: (service: string) => boolean,
): string[] {
  return (keys.consumers[key] ?? []).filter(running);
}
