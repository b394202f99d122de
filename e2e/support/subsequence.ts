/**
 * Where `expected` fails to appear in `actual` in order (other items may sit in between):
 * null when it does, else a message naming the first missing item. Test helper.
 */
export function missingInOrder(
  actual: readonly string[],
  expected: readonly string[],
): string | null {
  let at = -1;
  for (const item of expected) {
    const next = actual.indexOf(item, at + 1);
    if (next === -1) return `${item} does not follow position ${at} in: ${actual.join(', ')}`;
    at = next;
  }
  return null;
}
