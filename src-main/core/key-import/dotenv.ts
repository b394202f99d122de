import { KEY_CATALOG } from '../secrets';
import type { FoundKey, ScanFindings } from './found-key';

const MANAGED = new Set(KEY_CATALOG.map((k) => k.name));
/** `NAME=value` or `export NAME=value`, as dotenv and shells read it. */
const ASSIGNMENT = /^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)[ \t]*=[ \t]*(.*)$/;

/**
 * The value of one `.env` line: quoted ('…' or "…", the rest of the line only a comment) or
 * bare (up to a ` #` comment, trimmed). Null when a quote is not closed on the line (a
 * multi-line value, which no provider key is).
 */
function valueOf(raw: string): string | null {
  const quote = raw[0];
  if (quote === '"' || quote === "'" || quote === '`') {
    const end = raw.indexOf(quote, 1);
    if (end === -1) return null;
    const rest = raw.slice(end + 1);
    if (!/^[ \t]*(#.*)?$/.test(rest)) return null;
    const inner = raw.slice(1, end);
    return quote === '"' ? inner.replace(/\\n/g, '\n') : inner;
  }
  const comment = raw.search(/[ \t]#/);
  return (comment === -1 ? raw : raw.slice(0, comment)).trim();
}

/**
 * The managed provider keys (ANTHROPIC_API_KEY, OPENAI_API_KEY, CURSOR_API_KEY) assigned in a
 * `.env` file, each with its line; other variables are not looked at. The last assignment of a
 * name wins (as dotenv reads it), and every line assigning it is removed with it.
 */
export function scanDotenv(text: string): ScanFindings {
  const lines = text.split('\n');
  const byName = new Map<string, { key: FoundKey; lines: number[] }>();
  const notes: string[] = [];
  lines.forEach((full, index) => {
    const line = full.endsWith('\r') ? full.slice(0, -1) : full;
    const match = ASSIGNMENT.exec(line);
    if (!match || !MANAGED.has(match[1]!)) return;
    const name = match[1]!;
    const value = valueOf(match[2]!);
    if (value === null) {
      notes.push(
        `${name} on line ${index + 1} has a quote that does not close on its line; it was skipped.`,
      );
      return;
    }
    if (value === '') return;
    const seen = byName.get(name);
    const at = [...(seen?.lines ?? []), index + 1];
    byName.set(name, {
      key: { name, value, line: index + 1, removeLines: null, removeProblem: null },
      lines: at,
    });
  });
  const keys: FoundKey[] = [];
  for (const { key, lines: at } of byName.values()) {
    // Removal takes out every assignment of the name; one range per key keeps the model simple,
    // so a name assigned on lines that are not next to each other is left for the user.
    const contiguous = at.every((n, i) => i === 0 || n === at[i - 1]! + 1);
    keys.push(
      contiguous
        ? { ...key, removeLines: [at[0]!, at[at.length - 1]!] }
        : {
            ...key,
            removeProblem: `${key.name} is set on lines ${at.join(', ')}; remove them from the file by hand.`,
          },
    );
  }
  return { keys, notes };
}
