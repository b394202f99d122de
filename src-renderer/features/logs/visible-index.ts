import type { LogLine } from '../../../src-shared/model/log';
import type { LineBuffer } from '../../stores/log-buffer';
import { plainText } from './ansi';

/** Level keys the filter uses: the six levels plus "none" for lines without one. */
export type LevelKey = NonNullable<LogLine['level']> | 'none';

/** Which lines are shown. `key` must change whenever the sets do. */
export interface LineFilter {
  key: string;
  levels: ReadonlySet<LevelKey>;
  streams: ReadonlySet<LogLine['stream']>;
}

/** Sorted ids (absolute buffer ids) with a moving head, so dropping the front is O(dropped). */
class IdList {
  ids: number[] = [];
  head = 0;
  get length(): number {
    return this.ids.length - this.head;
  }
  at(i: number): number {
    return this.ids[this.head + i]!;
  }
  dropBelow(first: number): void {
    while (this.head < this.ids.length && this.ids[this.head]! < first) this.head++;
    if (this.head > 50_000) {
      this.ids = this.ids.slice(this.head);
      this.head = 0;
    }
  }
  /** Position of `id`, or where it would go (first index with ids >= id). */
  lowerBound(id: number): number {
    let lo = this.head;
    let hi = this.ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.ids[mid]! < id) lo = mid + 1;
      else hi = mid;
    }
    return lo - this.head;
  }
}

/**
 * The filtered lines of one view and the search matches among them, kept up to date
 * incrementally: a new batch only scans the new lines, so filtering and search stay cheap at
 * 100,000 lines and 60 batches a second. Rebuilt only when the buffer, filter or query changes.
 */
export class VisibleIndex {
  private buffer: LineBuffer | null = null;
  private filterKey = '';
  private query = '';
  private scanned = 0;
  private visible = new IdList();
  private matches = new IdList();

  /** Brings the index up to date with the buffer's current contents. */
  update(buffer: LineBuffer, filter: LineFilter, query: string): void {
    const q = query.toLowerCase();
    // Before any re-search: ids below buffer.first no longer resolve to lines.
    this.visible.dropBelow(buffer.first);
    this.matches.dropBelow(buffer.first);
    if (buffer !== this.buffer || filter.key !== this.filterKey) {
      this.buffer = buffer;
      this.filterKey = filter.key;
      this.visible = new IdList();
      this.matches = new IdList();
      this.scanned = buffer.first;
      this.query = q;
    } else if (q !== this.query) {
      this.query = q;
      this.matches = new IdList();
      if (q) {
        for (let i = 0; i < this.visible.length; i++) {
          const id = this.visible.at(i);
          if (this.isMatch(buffer.at(id))) this.matches.ids.push(id);
        }
      }
    }
    for (let id = Math.max(this.scanned, buffer.first); id < buffer.end; id++) {
      const line = buffer.at(id);
      if (!filter.levels.has(line.level ?? 'none') || !filter.streams.has(line.stream)) continue;
      this.visible.ids.push(id);
      if (q && this.isMatch(line)) this.matches.ids.push(id);
    }
    this.scanned = buffer.end;
  }

  private isMatch(line: LogLine): boolean {
    return plainText(line).toLowerCase().includes(this.query);
  }

  /** Number of visible lines. */
  get count(): number {
    return this.visible.length;
  }

  /** Absolute id of the i-th visible line. */
  idAt(i: number): number {
    return this.visible.at(i);
  }

  /** The i-th visible line. */
  lineAt(i: number): LogLine {
    return this.buffer!.at(this.visible.at(i));
  }

  /** Row index of a visible line by absolute id, or -1. */
  rowOf(id: number): number {
    const i = this.visible.lowerBound(id);
    return i < this.visible.length && this.visible.at(i) === id ? i : -1;
  }

  /** Number of visible lines matching the query. */
  get matchCount(): number {
    return this.matches.length;
  }

  /** Absolute id of the k-th match. */
  matchAt(k: number): number {
    return this.matches.at(k);
  }

  /** Rank of the first match whose id is `id` or later (`matchCount` when there is none). */
  matchFrom(id: number): number {
    return this.matches.lowerBound(id);
  }

  /** Absolute id of the oldest line the buffer still holds (ids below it have left the view). */
  get firstId(): number {
    return this.buffer?.first ?? 0;
  }

  /** Rank of a match by absolute id, or -1. */
  matchRank(id: number): number {
    const i = this.matches.lowerBound(id);
    return i < this.matches.length && this.matches.at(i) === id ? i : -1;
  }

  /** All visible lines, oldest first (for export and copy). */
  lines(): LogLine[] {
    const out: LogLine[] = new Array<LogLine>(this.count);
    for (let i = 0; i < out.length; i++) out[i] = this.lineAt(i);
    return out;
  }
}
