import { useEffect, useLayoutEffect, useRef } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { LogRow } from './log-row';
import type { VisibleIndex } from './visible-index';

/** Row height without wrap; must match `.log-row` line-height in styles.css. */
const ROW_HEIGHT = 18;

/** A request to scroll a row into view; `tick` makes repeated requests for one row distinct. */
export interface ScrollRequest {
  row: number;
  tick: number;
}

interface LogListProps {
  index: VisibleIndex;
  /** Changes whenever the index's contents do (rows are read from the mutable index). */
  version: string;
  query: string;
  currentId: number | null;
  wrap: boolean;
  showTime: boolean;
  showService: boolean;
  follow: boolean;
  onFollowChange(follow: boolean): void;
  scrollRequest: ScrollRequest | null;
}

/**
 * The virtualized lines (@tanstack/react-virtual). Without wrap, rows have one fixed height and
 * the list scrolls sideways; with wrap, rows are measured. Follow keeps the end in view; any
 * user scroll up pauses it and shows "Jump to latest".
 */
export function LogList(props: LogListProps) {
  const { index, version, query, currentId, wrap, follow, onFollowChange } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const lastTop = useRef(0);
  const lastCount = useRef(0);
  const count = index.count;
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    getItemKey: (i) => index.idAt(i),
    overscan: 30,
  });

  useLayoutEffect(() => {
    if (follow && count > 0) virtualizer.scrollToIndex(count - 1, { align: 'end' });
  }, [follow, count, version, virtualizer]);

  useEffect(() => {
    if (props.scrollRequest)
      virtualizer.scrollToIndex(props.scrollRequest.row, { align: 'center' });
  }, [props.scrollRequest, virtualizer]);

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    const gap = el.scrollHeight - el.scrollTop - el.clientHeight;
    const shrank = count < lastCount.current;
    if (follow && !shrank && el.scrollTop < lastTop.current - 1 && gap > ROW_HEIGHT * 2) {
      onFollowChange(false);
    }
    lastTop.current = el.scrollTop;
    lastCount.current = count;
  };

  return (
    <div className="log-frame">
      <div
        ref={scroller}
        className={`log-scroller${wrap ? ' wrap' : ''}`}
        role="log"
        aria-label="Log lines"
        aria-live="off"
        tabIndex={0}
        onScroll={onScroll}
        onWheel={(e) => {
          if (e.deltaY < 0 && follow) onFollowChange(false);
        }}
        onKeyDown={(e) => {
          if (follow && ['ArrowUp', 'PageUp', 'Home'].includes(e.key)) onFollowChange(false);
        }}
      >
        <div role="list" className="log-sizer" style={{ height: virtualizer.getTotalSize() }}>
          {virtualizer.getVirtualItems().map((item) => {
            const line = index.lineAt(item.index);
            return (
              <LogRow
                key={item.key}
                line={line}
                index={item.index}
                start={item.start}
                query={query}
                current={currentId === index.idAt(item.index)}
                showTime={props.showTime}
                showService={props.showService}
                measure={wrap ? virtualizer.measureElement : undefined}
              />
            );
          })}
        </div>
      </div>
      {count === 0 && <p className="log-empty">No lines to show.</p>}
      {!follow && (
        <button type="button" className="jump-latest primary" onClick={() => onFollowChange(true)}>
          Jump to latest
        </button>
      )}
    </div>
  );
}
