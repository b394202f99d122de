/** Duration strings accepted in the stack file: a number then ms, s, m or h (e.g. `500ms`, `30s`, `2m`). */
export const DURATION_PATTERN = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** Milliseconds for a duration (a number of ms or a string like `30s`), or null when malformed. */
export function parseDuration(value: number | string): number | null {
  if (typeof value === 'number') {
    return Number.isFinite(value) && value >= 0 ? Math.round(value) : null;
  }
  const match = DURATION_PATTERN.exec(value.trim());
  if (!match) return null;
  const amount = Number(match[1]);
  const unit = UNIT_MS[match[2] ?? ''];
  return unit === undefined ? null : Math.round(amount * unit);
}
