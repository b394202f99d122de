/** Where a command writes, and whether it may colour (a TTY, no NO_COLOR, no --no-color). */
export interface Out {
  color: boolean;
  json: boolean;
  out(text: string): void;
  err(text: string): void;
}

const CODES = { red: 31, green: 32, yellow: 33, blue: 34, dim: 2, bold: 1 } as const;
/** A colour or style name. */
export type Style = keyof typeof CODES;

/** `text` in `style` when colour is on; the bare text otherwise (pipes, NO_COLOR). */
export function paint(out: Pick<Out, 'color'>, style: Style, text: string): string {
  return out.color ? `\u001b[${CODES[style]}m${text}\u001b[0m` : text;
}

/** The colour a service or stack state reads in. */
export function stateStyle(state: string): Style {
  if (state === 'ready') return 'green';
  if (['failed', 'crashed', 'held'].includes(state)) return 'red';
  if (['stopped', 'not-installed'].includes(state)) return 'dim';
  return 'yellow';
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;
const width = (text: string): number => text.replace(ANSI, '').length;

/**
 * Aligned columns: each column as wide as its widest cell, two spaces apart, the last one not
 * padded (so a long reason wraps in the terminal rather than pushing everything right).
 */
export function table(headers: string[], rows: string[][], out: Pick<Out, 'color'>): string {
  const all = [headers, ...rows];
  const widths = headers.map((_, i) => Math.max(...all.map((row) => width(row[i] ?? ''))));
  const line = (row: string[]): string =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat(widths[i]! - width(cell))))
      .join('  ')
      .trimEnd();
  const head = line(headers.map((h) => paint(out, 'bold', h)));
  return `${[head, ...rows.map(line)].join('\n')}\n`;
}

/** Stable JSON for scripts: two-space indent, one trailing newline. */
export function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** "3 s ago", "2 min ago", for a past epoch-ms time. */
export function ago(time: number | null, now = Date.now()): string {
  if (time === null) return '-';
  const s = Math.max(0, Math.round((now - time) / 1000));
  if (s < 90) return `${s} s ago`;
  if (s < 5400) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}
