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
