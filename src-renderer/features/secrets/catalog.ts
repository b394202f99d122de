/** What the window knows about a key name: its title, provider and expected format. */
export interface KeyMeta {
  /** Dialog title and field label, e.g. "Anthropic API key". */
  title: string;
  /** Short noun with article for messages, e.g. "An Anthropic key". */
  noun: string;
  /** What the consumers use it for, e.g. "call Claude". */
  purpose: string;
  /** Required start of the value, or null when the provider has no fixed prefix. */
  prefix: string | null;
}

const CATALOG: Record<string, KeyMeta> = {
  ANTHROPIC_API_KEY: {
    title: 'Anthropic API key',
    noun: 'An Anthropic key',
    purpose: 'call Claude',
    prefix: 'sk-ant-',
  },
  OPENAI_API_KEY: {
    title: 'OpenAI API key',
    noun: 'An OpenAI key',
    purpose: 'call OpenAI models',
    prefix: 'sk-',
  },
  CURSOR_API_KEY: {
    title: 'Cursor API key',
    noun: 'A Cursor key',
    purpose: 'call Cursor',
    prefix: null,
  },
};

const MIN_LENGTH = 20;

/** Metadata for a key name; unknown names fall back to the name itself. */
export function keyMeta(name: string): KeyMeta {
  return CATALOG[name] ?? { title: name, noun: `A ${name} value`, purpose: 'work', prefix: null };
}

/** The hint shown under the field before anything is typed. */
export function formatHint(meta: KeyMeta): string {
  return meta.prefix
    ? `Starts with "${meta.prefix}". Paste the whole key.`
    : 'Paste the whole key.';
}

/**
 * Client-side format check. Returns what is wrong, or null when the value looks right.
 * The message never repeats the value (or any part of it).
 */
export function formatProblem(meta: KeyMeta, typed: string): string | null {
  // Spaces and line breaks around a pasted key are trimmed by main (which says so).
  const value = typed.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
  if (value === '') return null;
  if (/\s/.test(value)) {
    return 'The key contains spaces or line breaks. Copy only the key itself.';
  }
  if (meta.prefix && !value.startsWith(meta.prefix)) {
    return `${meta.noun} starts with "${meta.prefix}". Check that you copied the whole key.`;
  }
  if (value.length < MIN_LENGTH) {
    return `This is too short to be a key (at least ${MIN_LENGTH} characters). Check that you copied the whole key.`;
  }
  return null;
}

/** "agent-runner needs it to call Claude. It is only passed to agent-runner's environment." */
export function whyLine(meta: KeyMeta, consumers: readonly string[]): string {
  if (consumers.length === 0) {
    return 'No service in the stack uses it yet. It is only passed to services that declare it.';
  }
  if (consumers.length === 1) {
    const [only] = consumers;
    return `${only} needs it to ${meta.purpose}. It is only passed to ${only}'s environment.`;
  }
  const list = `${consumers.slice(0, -1).join(', ')} and ${consumers[consumers.length - 1]}`;
  return `${list} need it to ${meta.purpose}. It is only passed to their environments.`;
}

/** Relative time for "last set": just now / 5 min ago / 3 h ago / 2 days ago. */
export function formatAgo(then: number, now: number): string {
  const seconds = Math.max(0, Math.floor((now - then) / 1000));
  if (seconds < 60) return 'just now';
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.floor(hours / 24);
  return days === 1 ? '1 day ago' : `${days} days ago`;
}
