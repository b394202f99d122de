import { useEffect, useId, useRef, useState } from 'react';
import type { AppInfo } from '../../../src-shared/ipc/contract';
import { api } from '../../api/client';
import { Modal } from '../../components/modal';
import { ExternalLink, HELP_LINKS } from './links';

const PLATFORM: Record<string, string> = { darwin: 'macOS', linux: 'Linux', win32: 'Windows' };

/** The About dialog: version, platform, where data and logs live, and where help is. */
function AboutDialog({ onClose }: { onClose(): void }) {
  const id = useId();
  const close = useRef<HTMLButtonElement>(null);
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api
      .appInfo()
      .then(setInfo, (e: Error) =>
        setError(`The app did not say its version (${e.message}). Try again once it answers.`),
      );
  }, []);

  const host = info?.host === 'browser' ? 'browser window (served by the app)' : 'desktop app';
  return (
    <Modal labelledBy={`${id}-title`} onCancel={onClose} initialFocus={close} className="about">
      <h2 id={`${id}-title`}>About Stigmer Local</h2>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      {info && (
        <dl className="about-facts" data-testid="about-facts">
          <dt>Version</dt>
          <dd data-field="version">{info.version}</dd>
          <dt>Platform</dt>
          <dd>
            {PLATFORM[info.platform] ?? info.platform} · {host}
          </dd>
          <dt>Data folder</dt>
          <dd>
            <code>{info.userDataDir}</code>
          </dd>
          <dt>Log folder</dt>
          <dd>
            <code>{info.logDir}</code>
          </dd>
        </dl>
      )}
      <ul className="about-links" aria-label="Help">
        {Object.values(HELP_LINKS).map((link) => (
          <li key={link.href}>
            <ExternalLink href={link.href}>{link.label}</ExternalLink>
          </li>
        ))}
      </ul>
      <div className="dialog-buttons">
        <button ref={close} type="button" className="primary" onClick={onClose}>
          Close
        </button>
      </div>
    </Modal>
  );
}

/** The rail's About button and the dialog it opens (focus returns to the button on close). */
export function AboutButton() {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" className="rail-item rail-about" onClick={() => setOpen(true)}>
        About
      </button>
      {open && <AboutDialog onClose={() => setOpen(false)} />}
    </>
  );
}
