import { useEffect, useMemo, useRef, useState } from 'react';
import { LOG_LEVELS, LOG_STREAMS, type LogStream } from '../../../src-shared/model/log';
import { useLogs, ALL_VIEW, type LogView } from '../../stores/logs';
import { useNavigation } from '../../stores/navigation';
import { LineBuffer } from '../../stores/log-buffer';
import { LogTabs } from './log-tabs';
import { LogsToolbar } from './logs-toolbar';
import { LogList, type ScrollRequest } from './log-list';
import { VisibleIndex, type LevelKey, type LineFilter } from './visible-index';
import { downloadLines, LINES, shownLines } from './export';
import { formatNumber, plural } from '../../lib/intl';
import { nearestMatch, stepMatch } from './search-step';
import './logs.css';

const OLDER_LINES = { one: 'older line', other: 'older lines' } as const;
const MATCHES = { one: 'match', other: 'matches' } as const;

const EMPTY: LogView = { buffer: new LineBuffer(), version: 0, skipped: 0, cut: null, lastSeq: 0 };
const toggled = <T,>(set: ReadonlySet<T>, item: T): Set<T> => {
  const next = new Set(set);
  if (!next.delete(item)) next.add(item);
  return next;
};

/** The Logs view: tabs per service plus "All", toolbar, and the virtualized lines. */
export function LogsView() {
  const tab = useNavigation((s) => s.logTab);
  const view = useLogs((s) => s.views[tab]) ?? EMPTY;
  const skipped = view.skipped;
  const folder = useLogs((s) => s.folder);
  const error = useLogs((s) => s.error);
  const [levels, setLevels] = useState<ReadonlySet<LevelKey>>(new Set([...LOG_LEVELS, 'none']));
  const [streams, setStreams] = useState<ReadonlySet<LogStream>>(new Set(LOG_STREAMS));
  const [query, setQuery] = useState('');
  const [currentId, setCurrentId] = useState<number | null>(null);
  const [wrap, setWrap] = useState(false);
  const [showTime, setShowTime] = useState(true);
  const [follow, setFollow] = useState(true);
  const [scrollRequest, setScrollRequest] = useState<ScrollRequest | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const index = useRef(new VisibleIndex()).current;
  /** Id of the line at the top of the list's viewport, kept by LogList (search starts there). */
  const viewTop = useRef<number | null>(null);

  useEffect(() => useLogs.getState().ensureLoaded(tab), [tab]);
  useEffect(() => setStatus(null), [tab]);

  const filter = useMemo<LineFilter>(
    () => ({ key: [...levels, '|', ...streams].join(','), levels, streams }),
    [levels, streams],
  );
  const needle = query.trim().toLowerCase();
  // The index is mutable and updated in render: it only scans lines it has not seen yet.
  const version = useMemo(() => {
    index.update(view.buffer, filter, needle);
    return `${tab}:${view.version}:${filter.key}:${needle}`;
  }, [index, view, filter, needle, tab]);

  // Matches are remembered by line id (see search-step.ts): a row index would point at another
  // line after the next batch.
  const goTo = (id: number) => {
    setCurrentId(id);
    setFollow(false);
    setScrollRequest((r) => ({ id, tick: (r?.tick ?? 0) + 1 }));
  };
  const step = (by: 1 | -1) => {
    const to = stepMatch(index, currentId, by, viewTop.current);
    if (!to) return;
    setStatus(
      to.left
        ? 'The match you were on has left the view (newer lines pushed it out; the log file keeps it). This is the next one still here.'
        : null,
    );
    goTo(to.id);
  };

  useEffect(() => {
    // A new query (or tab/filter) selects the match nearest to where the view is.
    const id = needle ? nearestMatch(index, viewTop.current) : null;
    if (id !== null) goTo(id);
    else setCurrentId(null);
  }, [needle, tab, filter]);

  useEffect(() => {
    // A query typed before its first match arrived selects that match when it comes in.
    const id = needle && currentId === null ? nearestMatch(index, viewTop.current) : null;
    if (id !== null) goTo(id);
  }, [version]);

  const rank = currentId === null ? -1 : index.matchRank(currentId);
  const matchLabel = !needle
    ? ''
    : index.matchCount === 0
      ? 'No matches'
      : rank < 0
        ? currentId !== null && currentId < index.firstId
          ? `Current match left the view · ${plural(index.matchCount, MATCHES)}`
          : plural(index.matchCount, MATCHES)
        : `${formatNumber(rank + 1)} of ${formatNumber(index.matchCount)}`;
  const evicted = view.buffer.evicted;
  const viewName = tab === ALL_VIEW ? 'all' : tab;

  const actions = {
    setQuery,
    next: () => step(1),
    previous: () => step(-1),
    toggleLevel: (l: LevelKey) => setLevels((s) => toggled(s, l)),
    toggleStream: (s: LogStream) => setStreams((v) => toggled(v, s)),
    setWrap,
    setShowTime,
    setFollow,
    exportLines: () => {
      const lines = index.lines();
      downloadLines(viewName, lines);
      setStatus(`Exported ${plural(lines.length, LINES)}`);
    },
    copyLines: () => {
      const lines = index.lines();
      // Copy takes what the view shows: hidden timestamps and services stay out.
      const text = shownLines(lines, { time: showTime, service: tab === ALL_VIEW });
      navigator.clipboard.writeText(text).then(
        () => setStatus(`Copied ${plural(lines.length, LINES)}`),
        (e: Error) => setStatus(`Could not copy: ${e.message}`),
      );
    },
    openFolder: () => {
      setStatus(null);
      void useLogs.getState().openFolder();
    },
    clear: () => {
      useLogs.getState().clearView(tab);
      setFollow(true);
    },
  };

  const folderText = folder
    ? folder.opened
      ? `Opened the log folder: ${folder.path}`
      : `Log folder: ${folder.path} (it could not be opened from here; go there in your file manager)`
    : null;

  return (
    <section className="logs-view" aria-labelledby="logs-title">
      <header className="view-header">
        <h1 id="logs-title">Logs</h1>
        <span className="hint" data-field="line-count">
          {formatNumber(index.count)} of {plural(view.buffer.size, LINES)}
        </span>
      </header>
      <LogTabs selected={tab} onSelect={(t) => useNavigation.getState().selectLogTab(t)} />
      <LogsToolbar
        state={{
          query,
          matchLabel,
          levels,
          streams,
          wrap,
          showTime,
          follow,
          visibleCount: index.count,
        }}
        actions={actions}
      />
      <div className="log-status" role="status" data-field="log-status">
        {error && <span className="error-text">{error} </span>}
        {skipped > 0 && (
          <span data-field="skipped" title="The live view fell behind; the log files have them.">
            {plural(skipped, LINES)} skipped{' '}
          </span>
        )}
        {status && <span>{status} </span>}
        {folderText && <span data-field="folder">{folderText}</span>}
      </div>
      {evicted > 0 && (
        // Outside the status region: it changes with every batch, which a screen reader would
        // otherwise announce many times a second.
        <p className="log-evicted">
          <span data-field="evicted">
            {plural(evicted, OLDER_LINES)} left the view (kept in the log file)
          </span>{' '}
          <button type="button" className="link" onClick={actions.openFolder}>
            Open full log
          </button>
        </p>
      )}
      <div
        id="log-panel"
        role="tabpanel"
        aria-labelledby={`log-tab-${viewName}`}
        className="log-panel"
      >
        <LogList
          key={wrap ? 'wrap' : 'nowrap'}
          index={index}
          version={version}
          query={needle}
          currentId={currentId}
          wrap={wrap}
          showTime={showTime}
          showService={tab === ALL_VIEW}
          follow={follow}
          onFollowChange={setFollow}
          scrollRequest={scrollRequest}
          viewTop={viewTop}
        />
      </div>
    </section>
  );
}
