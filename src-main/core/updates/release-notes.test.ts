import { describe, expect, it } from 'vitest';
import { RELEASE_NOTES_MAX_CHARS, releaseNotesText } from './release-notes';

describe('release notes as plain text', () => {
  it('reduces GitHub HTML to text: blocks to lines, items to bullets, entities decoded', () => {
    const html =
      '<h2>What&#39;s new</h2><p>Faster <b>logs</b> &lt;3</p><ul><li>one</li><li>two &amp; three</li></ul>' +
      '<img src=x onerror="alert(1)"><script>alert(2)</script><style>p{}</style>';
    expect(releaseNotesText(html)).toBe("What's new\n\nFaster logs <3\n\n• one\n• two & three");
  });

  it('keeps plain text and joins per-version notes', () => {
    expect(releaseNotesText('Fixes a crash.\r\nAnd more.')).toBe('Fixes a crash.\nAnd more.');
    expect(
      releaseNotesText([
        { version: '0.3.0', note: 'Three' },
        { version: '0.2.0', note: null },
      ]),
    ).toBe('0.3.0\nThree');
    expect(releaseNotesText(null)).toBeNull();
    expect(releaseNotesText('<p> </p>')).toBeNull();
  });

  it('caps what reaches the window', () => {
    const text = releaseNotesText('x'.repeat(RELEASE_NOTES_MAX_CHARS * 2)) ?? '';
    expect(text.length).toBeLessThan(RELEASE_NOTES_MAX_CHARS + 100);
    expect(text).toMatch(/full notes are on the release page/);
  });
});
