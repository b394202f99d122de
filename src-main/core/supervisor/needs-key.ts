/**
 * Thrown by a `prepareEnv` hook when a required key of the service has no value. The
 * supervisor then parks the service in 'needs-key' (no spawn, no crash, no retry) until it is
 * started again, e.g. by `Supervisor.startWaiting()` once the key was entered.
 */
export class NeedsKeyError extends Error {
  constructor(
    readonly keys: string[],
    message?: string,
  ) {
    super(message ?? `Missing required key${keys.length === 1 ? '' : 's'}: ${keys.join(', ')}.`);
    this.name = 'NeedsKeyError';
  }
}

/** "A", "A and B", "A, B and C". */
function joinKeys(keys: readonly string[]): string {
  if (keys.length <= 1) return keys[0] ?? 'a key';
  return `${keys.slice(0, -1).join(', ')} and ${keys[keys.length - 1]}`;
}

/** "agent-runner needs ANTHROPIC_API_KEY. Enter it in the Keys view (or the dialog) to start it." */
export function needsKeyAdvice(name: string, keys: readonly string[]): string {
  const it = keys.length > 1 ? 'them' : 'it';
  return `${name} needs ${joinKeys(keys)}. Enter ${it} in the Keys view (or the dialog) to start it.`;
}

/** "Audit journal cannot be written: ENOSPC: the disk is full. Keys are held back until it can. …" */
export function heldAdvice(reason: string, journalDir?: string): string {
  const where = journalDir ? ` (${journalDir})` : '';
  return (
    `Audit journal cannot be written: ${reason}. Keys are held back until it can. ` +
    `Free disk space or make the audit folder${where} writable, then press Retry.`
  );
}

/**
 * Thrown by a `prepareEnv` hook when the release of a key could not be made durable in the
 * audit journal (fail closed). The supervisor parks the service in 'held' like 'needs-key':
 * no spawn, no crash, no automatic retry, until it is started again (Retry).
 */
export class KeysHeldError extends Error {
  constructor(
    /** Plain words for the journal error, e.g. "ENOSPC: the disk is full". */
    readonly reason: string,
    journalDir?: string,
  ) {
    super(heldAdvice(reason, journalDir));
    this.name = 'KeysHeldError';
  }
}
