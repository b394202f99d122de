/**
 * Search navigation by line identity (absolute buffer ids), not by row or rank: during a flood
 * the rows under a match shift on every batch and the oldest matches leave the ring, so "the
 * current match" is remembered as an id, and Next/Previous are worked out from it at the moment
 * they are pressed.
 */

/** What navigation needs from the index of matches (see VisibleIndex). */
export interface MatchList {
  readonly matchCount: number;
  /** Absolute id of the k-th match, oldest first. */
  matchAt(k: number): number;
  /** Rank of a match by id, or -1 when it is not (or no longer) a match. */
  matchRank(id: number): number;
  /** Rank of the first match with id >= `id` (matchCount when none). */
  matchFrom(id: number): number;
  /** Oldest id still held; a smaller id has left the view. */
  readonly firstId: number;
}

/** Where a step lands, and whether the match it started from had left the view meanwhile. */
export interface StepResult {
  id: number;
  /** The current match was pushed out of the ring by newer lines before this step. */
  left: boolean;
}

/**
 * The match a new query (or a match arriving for an old one) selects: the first at or below the
 * top of the view, else the last one, so the selection is where the user is already looking
 * rather than at the oldest line (which a flood is about to push out).
 */
export function nearestMatch(m: MatchList, viewTopId: number | null): number | null {
  const n = m.matchCount;
  if (n === 0) return null;
  const k = viewTopId === null ? 0 : m.matchFrom(viewTopId);
  return m.matchAt(k < n ? k : n - 1);
}

/**
 * Next (`by` 1) or Previous (-1) from `currentId`. While the current match still exists the step
 * is by rank, wrapping around. When it has gone (left the ring, or filtered out), the step starts
 * from the top of the view instead: Next is the first match at or below it, Previous the last
 * one above it, both wrapping.
 */
export function stepMatch(
  m: MatchList,
  currentId: number | null,
  by: 1 | -1,
  viewTopId: number | null,
): StepResult | null {
  const n = m.matchCount;
  if (n === 0) return null;
  const rank = currentId === null ? -1 : m.matchRank(currentId);
  if (rank >= 0) return { id: m.matchAt((rank + by + n) % n), left: false };
  const left = currentId !== null && currentId < m.firstId;
  // The view's top can be older than the oldest line only for an instant (before the list has
  // re-rendered); the oldest line held is then the top.
  const from = Math.max(viewTopId ?? m.firstId, m.firstId);
  const below = m.matchFrom(from);
  const k = by > 0 ? (below < n ? below : 0) : below > 0 ? below - 1 : n - 1;
  return { id: m.matchAt(k), left };
}
