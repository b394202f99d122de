import { useCallback, useLayoutEffect, useRef, type MutableRefObject } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { LogRow } from './log-row';
import type { VisibleIndex } from './visible-index';
import { centredOffset, listOptions, ROW_HEIGHT } from './list-options';

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
  /** The scroll offset Follow last wrote (null once anything else may have moved the view). */
  const pinnedAt = useRef<number | null>(null);
  /** The last scroll request written (each is written once). */
  const handled = useRef<ScrollRequest | null>(null);
  const count = index.count;
  // One key function per index version: a new one makes the virtualizer rebuild its positions of
  // all (up to 100,000) rows, which a re-render for a scroll alone does not need.
  const getItemKey = useCallback((i: number) => index.idAt(i), [index, version]);
  const virtualizer = useVirtualizer({
    ...listOptions(index, follow),
    getItemKey,
    getScrollElement: () => scroller.current,
    // A scroll re-renders in React's own time, not synchronously inside the scroll event (where
    // under a flood it landed on top of the batch's render in one long task).
    useFlushSync: false,
  });
  // Following without wrap, every row is 18 px, so the end offset is known without asking the
  // browser: the rows are computed at the end in this render, and the layout effect below writes
  // it. (scrollToIndex would read scrollHeight, forcing a layout of the list on every batch, and
  // then re-check it in an animation frame loop: measured as the renderer's largest cost.)
  const pinned = follow && !wrap && count > 0;
  const height = virtualizer.scrollRect?.height ?? 0;
  const maxOffset = Math.max(0, virtualizer.getTotalSize() - height);
  // A search step is aimed in render for the same reason: the rows committed with the new
  // current match are the ones around it, so it is on screen in that very frame rather than after
  // the browser reports the scroll back and the list renders again (one more render that a flood
  // of batches and a loaded machine can hold off).
  const request = props.scrollRequest !== handled.current ? props.scrollRequest : null;
  const row = request && !wrap ? index.rowOf(request.id) : -1;
  const aimed = row >= 0 ? centredOffset(row, height, maxOffset) : null;
  if (aimed !== null) virtualizer.scrollOffset = aimed;
  else if (pinned) virtualizer.scrollOffset = maxOffset;
  if (!pinned) pinnedAt.current = null;
  const items = virtualizer.getVirtualItems();
  const top = virtualizer.scrollOffset ?? 0;
  const topItem = items.find((item) => item.end > top);

  useLayoutEffect(() => {
    props.viewTop.current = topItem === undefined ? null : Number(topItem.key);
  });

  useLayoutEffect(() => {
    if (!follow || count === 0) return;
    // Wrapped rows are measured as they render, so only the virtualizer knows where the end is.
    if (wrap) return virtualizer.scrollToIndex(count - 1, { align: 'end' });
    const el = scroller.current;
    const end = virtualizer.scrollOffset ?? 0;
    // Written only when it moved: a full ring keeps the end in one place while lines go through.
    if (!el || end === pinnedAt.current) return;
    virtualizer.cancelScroll();
    pinnedAt.current = end;
    el.scrollTop = end;
  }, [follow, wrap, count, version, virtualizer]);

  useLayoutEffect(() => {
    const request = props.scrollRequest;
    const el = scroller.current;
    if (!request || request === handled.current || !el) return;
    handled.current = request;
    // Wrapped rows have measured heights: the virtualizer places those.
    const row = wrap ? index.rowOf(request.id) : -1;
    const at = aimed ?? (row >= 0 ? virtualizer.getOffsetForIndex(row, 'center')?.[0] : undefined);
    if (at === undefined) return;
    // Written at once, with the virtualizer's offset, rather than as a scroll command: a command
    // is re-aimed at its target until the browser reports the scroll back, and meanwhile the
    // anchor is off, so under a flood it would land lines away from the match. A pending command
    // (Follow's scroll to the end) is cancelled so it cannot take the view back.
    virtualizer.cancelScroll();
    virtualizer.scrollOffset = at;
    el.scrollTop = at;
  }, [props.scrollRequest, virtualizer, index, aimed, wrap]);

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    const gap = el.scrollHeight - el.scrollTop - el.clientHeight;
    const shrank = count < lastCount.current;
    if (follow && !shrank && el.scrollTop < lastTop.current - 1 && gap > ROW_HEIGHT * 2) {
      onFollowChange(false);
    }
    // Moved by something other than Follow's write (the browser clamping it, a resize): write again.
    if (el.scrollTop !== pinnedAt.current) pinnedAt.current = null;
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
          {items.map((item, slot) => {
            const line = index.lineAt(item.index);
            return (
              <LogRow
                // Following without wrap, every batch brings all-new lines into the rows on
                // screen: keyed by place, the row elements are reused and only their text and
                // attributes change, instead of each being removed and a new one built per frame.
                // Otherwise by line, so a held view never re-renders rows that did not change.
                key={pinned ? `slot-${slot}` : item.key}
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
