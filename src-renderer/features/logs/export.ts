import type { LogLine } from '../../../src-shared/model/log';
import { formatLogTime, type Locale } from '../../lib/intl';
import { plainText } from './ansi';

/** "line" / "lines" for `plural`. */
export const LINES = { one: 'line', other: 'lines' } as const;

/** Which columns the view shows; Copy takes exactly those. */
export interface ShownColumns {
  time: boolean;
  service: boolean;
}

/**
 * A line as the view shows it, for Copy: the time (in the view's locale format, with the date
 * when not from today) and the service only when they are shown, then the text without ANSI.
 */
export function shownLine(
  line: LogLine,
  shown: ShownColumns,
  now = Date.now(),
  locale?: Locale,
): string {
  const time = shown.time ? `${formatLogTime(line.time, now, locale)} ` : '';
  const service = shown.service ? `${line.service} ` : '';
  return `${time}${service}${plainText(line)}`;
}

/** The Copy text for `lines`: one shown line per row, ending with "\n" unless empty. */
export function shownLines(
  lines: readonly LogLine[],
  shown: ShownColumns,
  now = Date.now(),
  locale?: Locale,
): string {
  return lines.length === 0
    ? ''
    : lines.map((l) => shownLine(l, shown, now, locale)).join('\n') + '\n';
}

/**
 * One exported (or copied) line: `<ISO time> <service> <stream> <text>`, e.g.
 * `2025-01-31T09:15:02.123Z stigmer-server stderr listening on :7234`. The time is UTC
 * (toISOString), the text has ANSI escapes removed and is already redacted by main; lines are
 * separated by "\n" and the file ends with one.
 */
export function formatLine(line: LogLine): string {
  return `${new Date(line.time).toISOString()} ${line.service} ${line.stream} ${plainText(line)}`;
}

/** The whole export text for `lines`, one formatted line per row. */
export function formatLines(lines: readonly LogLine[]): string {
  return lines.length === 0 ? '' : lines.map(formatLine).join('\n') + '\n';
}

/** `<view>-<timestamp>.log`, the timestamp file-name safe (no colons). */
export function exportFileName(view: string, now = new Date()): string {
  return `${view}-${now.toISOString().replace(/[:.]/g, '-')}.log`;
}

/** Offers `lines` as a download (a Blob URL on a temporary link). */
export function downloadLines(view: string, lines: readonly LogLine[]): void {
  const url = URL.createObjectURL(new Blob([formatLines(lines)], { type: 'text/plain' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = exportFileName(view);
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
