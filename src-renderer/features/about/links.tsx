import type { ReactNode } from 'react';

/** Where help lives: https only, so the desktop app hands them to the system browser. */
export const HELP_LINKS = {
  docs: { href: 'https://github.com/stigmer/stigmer#readme', label: 'Stigmer documentation' },
  anthropicKey: {
    href: 'https://console.anthropic.com/settings/keys',
    label: 'Get an Anthropic API key',
  },
  issues: { href: 'https://github.com/stigmer/stigmer/issues', label: 'Report a problem' },
} as const;

/**
 * A link that opens outside the app: a new tab in the browser host; in the desktop app the
 * window-open handler (src-main/shell/security.ts) passes parsed https URLs to the system browser
 * and never opens an app window.
 */
export function ExternalLink({ href, children }: { href: string; children: ReactNode }) {
  return (
    <a href={href} target="_blank" rel="noopener noreferrer">
      {children}
      <span className="sr-only"> (opens in your browser)</span>
    </a>
  );
}
