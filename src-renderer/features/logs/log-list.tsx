import { useLayoutEffect, useRef, type MutableRefObject } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { LogRow } from './log-row';
import type { VisibleIndex } from './visible-index';
import { listOptions, ROW_HEIGHT } from './list-options';

/**
 * A request to scroll a line into view, by absolute id: its row is looked up when the scroll
 * happens, because under a flood the row moves between the click and the next render. `tick`
 * makes repeated requests for one line distinct.
 */
export interface ScrollRequest {
  id: number;
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
  /** Set to the id of the line at the top of the viewport after every render (for search). */
  viewTop: MutableRefObject<number | null>;
}

/**
 * The virtualized lines (@tanstack/react-virtual). Without wrap, rows have one fixed height and
 * the list scrolls sideways; with wrap, rows are measured. Follow keeps the end in view; any
 * user scroll up pauses it and shows "Jump to latest". Paused, the view is anchored to the line
 * at its top (by key, the line's absolute id): when the ring drops lines off the front every row
 * index shifts, and without the anchor the text would slide by as fast as the flood comes in.
 */
export function LogList(props: LogListProps) {
  const { index, version, query, currentId, wrap, follow, onFollowChange } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const lastTop = useRef(0);
  const lastCount = useRef(0);
  const count = index.count;
  const virtualizer = useVirtualizer({
    ...listOptions(index, follow),
    getScrollElement: () => scroller.current,
  });
  const items = virtualizer.getVirtualItems();
  const top = virtualizer.scrollOffset ?? 0;
  const topItem = items.find((item) => item.end > top);

  useLayoutEffect(() => {
    props.viewTop.current = topItem === undefined ? null : Number(topItem.key);
  });

  useLayoutEffect(() => {
    if (follow && count > 0) virtualizer.scrollToIndex(count - 1, { align: 'end' });
  }, [follow, count, version, virtualizer]);

  useLayoutEffect(() => {
    const el = scroller.current;
    const row = props.scrollRequest ? index.rowOf(props.scrollRequest.id) : -1;
    const at = row >= 0 ? virtualizer.getOffsetForIndex(row, 'center') : undefined;
    if (!el || !at) return;
    // Written at once, with the virtualizer's offset, rather than as a scroll command: a command
    // is re-aimed at its target until the browser reports the scroll back, and meanwhile the
    // anchor is off, so under a flood it would land lines away from the match. A pending command
    // (Follow's scroll to the end) is cancelled so it cannot take the view back.
    virtualizer.cancelScroll();
    virtualizer.scrollOffset = at[0];
    el.scrollTop = at[0];
  }, [props.scrollRequest, virtualizer, index]);

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
          {items.map((item) => {
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
