import { memo, useEffect, useRef, type KeyboardEvent } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { AuditEntry } from '../../../src-shared/model/audit';
import { localTime } from './format';
import { useServiceLabel } from './audit-names';

/** Row height; must match `.audit-row` height in audit.css. */
const ROW_HEIGHT = 22;
const COLUMNS = ['Time', 'Type', 'Service', 'Key', 'Fingerprint', 'Actor', 'Outcome'];
const rowId = (seq: number) => `audit-row-${seq}`;

interface RowProps {
  entry: AuditEntry;
  index: number;
  start: number;
  selected: boolean;
  onSelect(entry: AuditEntry): void;
}

const AuditRow = memo(function AuditRow({ entry, index, start, selected, onSelect }: RowProps) {
  const service = useServiceLabel(entry.service);
  return (
    <div
      id={rowId(entry.seq)}
      role="row"
      className="audit-row"
      aria-rowindex={index + 2}
      aria-selected={selected}
      data-index={index}
      data-seq={entry.seq}
      data-type={entry.type}
      data-outcome={entry.outcome}
      style={{ transform: `translateY(${start}px)` }}
      onClick={() => onSelect(entry)}
    >
      <span role="gridcell" title={entry.time}>
        {localTime(entry.time)}
      </span>
      <span role="gridcell" data-col="type">
        {entry.type}
      </span>
      <span role="gridcell" title={entry.service ?? undefined}>
        {service}
      </span>
      <span role="gridcell">{entry.key ?? ''}</span>
      <span role="gridcell" className="mono" title={entry.fingerprint ?? undefined}>
        {entry.fingerprint ?? ''}
      </span>
      <span role="gridcell">{entry.actor}</span>
      <span role="gridcell" className={`audit-outcome outcome-${entry.outcome}`}>
        {entry.outcome}
      </span>
    </div>
  );
});

interface AuditTableProps {
  entries: readonly AuditEntry[];
  selected: AuditEntry | null;
  onSelect(entry: AuditEntry): void;
}

/**
 * The entries as a dense, virtualized read-only grid (newest first). The grid itself takes
 * focus; arrow keys, Page Up/Down, Home and End move the selection (aria-activedescendant).
 */
export function AuditTable({ entries, selected, onSelect }: AuditTableProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: entries.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    getItemKey: (i) => entries[i]!.seq,
    // The sticky header covers the first row's height: keep a selected row clear of it.
    scrollPaddingStart: ROW_HEIGHT,
    overscan: 30,
  });
  const selectedIndex = selected ? entries.findIndex((e) => e.seq === selected.seq) : -1;

  useEffect(() => {
    if (selectedIndex >= 0) virtualizer.scrollToIndex(selectedIndex, { align: 'auto' });
  }, [selectedIndex, virtualizer]);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const page = Math.max(1, Math.floor((scroller.current?.clientHeight ?? 0) / ROW_HEIGHT) - 1);
    const moves: Record<string, number> = {
      ArrowDown: 1,
      ArrowUp: -1,
      PageDown: page,
      PageUp: -page,
      Home: -Infinity,
      End: Infinity,
    };
    const by = moves[e.key];
    if (by === undefined || entries.length === 0) return;
    e.preventDefault();
    const from = selectedIndex < 0 ? (by > 0 ? -1 : entries.length) : selectedIndex;
    const next = Math.min(entries.length - 1, Math.max(0, from + by));
    onSelect(entries[next]!);
  };

  return (
    <div
      ref={scroller}
      className="audit-scroller"
      role="grid"
      aria-label="Audit entries"
      aria-readonly="true"
      aria-rowcount={entries.length + 1}
      aria-activedescendant={selected && selectedIndex >= 0 ? rowId(selected.seq) : undefined}
      tabIndex={0}
      onKeyDown={onKeyDown}
    >
      <div role="rowgroup" className="audit-head">
        <div role="row" className="audit-row header" aria-rowindex={1}>
          {COLUMNS.map((c) => (
            <span key={c} role="columnheader">
              {c}
            </span>
          ))}
        </div>
      </div>
      <div role="rowgroup" className="audit-sizer" style={{ height: virtualizer.getTotalSize() }}>
        {virtualizer.getVirtualItems().map((item) => {
          const entry = entries[item.index]!;
          return (
            <AuditRow
              key={item.key}
              entry={entry}
              index={item.index}
              start={item.start}
              selected={selected?.seq === entry.seq}
              onSelect={onSelect}
            />
          );
        })}
      </div>
      {entries.length === 0 && <p className="audit-empty">No entries to show.</p>}
    </div>
  );
}
