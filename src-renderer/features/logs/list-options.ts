import type { VirtualizerOptions } from '@tanstack/react-virtual';

/** Row height without wrap; must match `.log-row` line-height in styles.css. */
export const ROW_HEIGHT = 18;

/** What the list's virtualizer needs from the visible index. */
export interface ListRows {
  readonly count: number;
  /** Absolute id (line identity) of the i-th visible row. */
  idAt(i: number): number;
}

/**
 * The log list's virtualizer options that decide where rows are and what stays put. Rows are
 * keyed by line identity, not index. Paused ('end' anchor), when the first or last key changes
 * the virtualizer keeps the row at the top under the same pixel: it moves the scroll offset by
 * the height of the rows that left the front, so a full ring dropping lines does not make the
 * text slide. Following, the list scrolls to the end itself and no anchor is wanted.
 */
export function listOptions(rows: ListRows, follow: boolean) {
  return {
    count: rows.count,
    estimateSize: () => ROW_HEIGHT,
    getItemKey: (i: number) => rows.idAt(i),
    // Rows beyond the viewport kept rendered. Following a flood every row is new on every batch,
    // so each one here is DOM work per frame; 10 rows still hide a fling's first frame.
    overscan: 10,
    anchorTo: follow ? 'start' : 'end',
  } satisfies Partial<VirtualizerOptions<Element, Element>>;
}

/**
 * The scroll offset (fixed-height rows, no wrap) that puts row `row` in the middle of a viewport
 * `height` px tall, within 0..maxOffset: near either end of the list the row is as close to the
 * middle as the list allows, and always inside the viewport.
 */
export function centredOffset(row: number, height: number, maxOffset: number): number {
  return Math.min(maxOffset, Math.max(0, row * ROW_HEIGHT + (ROW_HEIGHT - height) / 2));
}
