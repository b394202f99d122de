import { memo, type ReactNode, type Ref } from 'react';
import type { LogLine } from '../../../src-shared/model/log';
import { formatLogTime } from '../../lib/intl';
import { parseAnsi, plainText } from './ansi';

/** Match ranges [start, end) of `query` (lower-cased) in `plain`, case-insensitive. */
function findRanges(plain: string, query: string): [number, number][] {
  const ranges: [number, number][] = [];
  if (!query) return ranges;
  const hay = plain.toLowerCase();
  for (let i = hay.indexOf(query); i >= 0; i = hay.indexOf(query, i + query.length)) {
    ranges.push([i, i + query.length]);
  }
  return ranges;
}

/** The line's ANSI runs as spans, with search matches wrapped in <mark>. */
function renderText(line: LogLine, query: string): ReactNode[] {
  const ranges = findRanges(plainText(line), query);
  const nodes: ReactNode[] = [];
  let offset = 0;
  let r = 0;
  for (const [s, seg] of parseAnsi(line.text).entries()) {
    const end = offset + seg.text.length;
    const parts: ReactNode[] = [];
    let pos = offset;
    while (pos < end) {
      while (r < ranges.length && ranges[r]![1] <= pos) r++;
      const range = ranges[r];
      if (range && range[0] <= pos) {
        const stop = Math.min(range[1], end);
        parts.push(<mark key={pos}>{seg.text.slice(pos - offset, stop - offset)}</mark>);
        pos = stop;
      } else {
        const stop = Math.min(range ? range[0] : end, end);
        parts.push(seg.text.slice(pos - offset, stop - offset));
        pos = stop;
      }
    }
    nodes.push(
      <span key={s} className={seg.cls || undefined}>
        {parts}
      </span>,
    );
    offset = end;
  }
  return nodes;
}

interface RowProps {
  line: LogLine;
  index: number;
  start: number;
  query: string;
  current: boolean;
  showTime: boolean;
  showService: boolean;
  measure?: Ref<HTMLDivElement>;
}

/** One log line: level bar, optional time and service, then the ANSI-coloured text. */
export const LogRow = memo(function LogRow(props: RowProps) {
  const { line, index, start, query, current, showTime, showService, measure } = props;
  return (
    <div
      ref={measure}
      className={`log-row${current ? ' current' : ''}`}
      role="listitem"
      data-index={index}
      data-seq={line.seq}
      data-level={line.level ?? 'none'}
      data-stream={line.stream}
      style={{ transform: `translateY(${start}px)` }}
    >
      {showTime && <span className="log-time">{formatLogTime(line.time, Date.now())} </span>}
      {showService && <span className="log-service">{line.service} </span>}
      <span className="log-text">{renderText(line, query)}</span>
      {line.truncated && <span className="log-truncated"> [cut]</span>}
    </div>
  );
});
