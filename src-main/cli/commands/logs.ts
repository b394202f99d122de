import { LOG_LEVELS, type LogLine } from '../../../src-shared/model/log';
import { UsageError, valueOf, EXIT, type CommandContext } from '../context';
import { paint, type Out } from '../output';

/** Epoch ms from "30s", "10m", "2h", "1d" ago, or an ISO date; UsageError otherwise. */
export function parseSince(text: string, now = Date.now()): number {
  const rel = /^(\d+)(s|m|h|d)$/.exec(text);
  if (rel) {
    const unit = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3 }[rel[2] as 's' | 'm' | 'h' | 'd'];
    return now - Number(rel[1]) * unit;
  }
  const at = Date.parse(text);
  if (Number.isNaN(at)) {
    throw new UsageError(
      `--since takes 30s, 10m, 2h, 1d or a date like 2026-11-29T10:00; got "${text}".`,
    );
  }
  return at;
}

/** A filter from --level (that severity or worse) and --since. */
function lineFilter(ctx: CommandContext): (line: LogLine) => boolean {
  const { level, since } = ctx.args;
  let min = -1;
  if (level !== null) {
    min = (LOG_LEVELS as readonly string[]).indexOf(level);
    if (min < 0)
      throw new UsageError(`--level is one of ${LOG_LEVELS.join(', ')}; got "${level}".`);
  }
  const from = since === null ? -Infinity : parseSince(since);
  return (line) =>
    line.time >= from &&
    (min < 0 || (line.level !== null && LOG_LEVELS.indexOf(line.level) >= min));
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;

/** One line as the terminal shows it: time, service, text (escapes only where colour is on). */
export function formatLine(line: LogLine, out: Out): string {
  const time = new Date(line.time).toISOString().slice(11, 23);
  const text = out.color ? line.text : line.text.replace(ANSI, '');
  const style =
    line.level === 'error' || line.level === 'fatal'
      ? 'red'
      : line.level === 'warn'
        ? 'yellow'
        : null;
  const body = style ? paint(out, style, text) : text;
  return `${paint(out, 'dim', time)} ${paint(out, 'blue', line.service)} ${body}\n`;
}

/**
 * `logs [SERVICE] [-f] [-n N] [--level L] [--since T]`: the tail the app keeps (already redacted
 * by the core, like every sink), then with -f the live `logs:lines` events until Ctrl-C or the
 * app quits. Lines the terminal was too slow for are counted on stderr, never silently lost.
 */
export async function logsCommand(ctx: CommandContext): Promise<number> {
  const [service = null, ...extra] = ctx.args.positionals;
  if (extra.length) throw new UsageError('logs takes at most one service name.');
  const keep = lineFilter(ctx);
  const show = (line: LogLine): void =>
    ctx.out.out(ctx.args.json ? `${JSON.stringify(line)}\n` : formatLine(line, ctx.out));
  const client = await ctx.connect();
  try {
    let lastSeq = -Infinity;
    const live: LogLine[] = [];
    let tailDone = false;
    if (ctx.args.follow) {
      client.onEvent((event, payload) => {
        if (event !== 'logs:lines') return;
        const batch = payload as { lines: LogLine[]; skipped: number };
        if (batch.skipped > 0)
          ctx.out.err(`[${batch.skipped} lines skipped: the terminal fell behind]\n`);
        for (const line of batch.lines) {
          if (service !== null && line.service !== service) continue;
          if (!tailDone) live.push(line);
          else if (line.seq > lastSeq && keep(line)) show(line);
        }
      });
      await client.subscribe(['logs:lines']);
    }
    const limit = ctx.args.lines ?? 100;
    const tail = valueOf(await client.call<{ lines: LogLine[] }>('logs:tail', { service, limit }));
    for (const line of tail.lines) {
      if (keep(line)) show(line);
      lastSeq = Math.max(lastSeq, line.seq);
    }
    tailDone = true;
    for (const line of live) if (line.seq > lastSeq && keep(line)) show(line);
    if (!ctx.args.follow) return EXIT.ok;
    await client.closed;
    ctx.out.err('Stigmer Local closed the connection (it quit); no more lines.\n');
    return EXIT.ok;
  } finally {
    client.close();
  }
}
