import type { UpdateInfoLike } from './types';

/** Longest release notes the window gets; a feed is outside input and may be anything. */
export const RELEASE_NOTES_MAX_CHARS = 8_000;

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
};

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code =
        name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : Number(name.slice(1));
      return Number.isInteger(code) && code > 0 && code <= 0x10ffff
        ? String.fromCodePoint(code)
        : '';
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/**
 * Release notes as plain text. GitHub's feed gives HTML; the window never renders HTML from a
 * feed, so block tags become line breaks, list items "• ", every other tag is dropped and
 * entities are decoded. The result is shown as text (React escapes it), capped in length.
 */
export function releaseNotesText(notes: UpdateInfoLike['releaseNotes']): string | null {
  if (notes == null) return null;
  const raw = Array.isArray(notes)
    ? notes
        .filter((n) => n.note)
        .map((n) => `${n.version}\n${n.note ?? ''}`)
        .join('\n\n')
    : notes;
  const text = decodeEntities(
    raw
      .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, '')
      .replace(/<li\b[^>]*>/gi, '\n• ')
      .replace(/<br\s*\/?>/gi, '\n')
      .replace(/<\/?(p|div|ul|ol|h[1-6]|pre|blockquote|tr|table)\b[^>]*>/gi, '\n')
      .replace(/<[^>]*>/g, ''),
  )
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  if (!text) return null;
  return text.length > RELEASE_NOTES_MAX_CHARS
    ? `${text.slice(0, RELEASE_NOTES_MAX_CHARS)}\n… (the full notes are on the release page)`
    : text;
}
