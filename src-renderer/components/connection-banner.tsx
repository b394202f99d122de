import { useEffect, useRef, useState } from 'react';
import { DISCONNECTED_REASON, useConnection } from '../api/connection';
import './connection.css';

/** The id of the banner text: disabled actions point at it (aria-describedby). */
export const CONNECTION_REASON_ID = 'connection-reason';

/** Seconds until `at`, refreshed every second while shown. */
function useSecondsUntil(at: number | null): number | null {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (at === null) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [at]);
  return at === null ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

/**
 * Shown at once when the app stops answering: what happened, that services may still run, and
 * that it reconnects by itself; a short "Reconnected" follows, then nothing.
 */
export function ConnectionBanner() {
  const { state, nextAttemptAt, resumed } = useConnection();
  const seconds = useSecondsUntil(state === 'lost' ? nextAttemptAt : null);
  const [justBack, setJustBack] = useState(false);
  const firstResumed = useRef(resumed);
  useEffect(() => {
    if (resumed === firstResumed.current) return;
    setJustBack(true);
    const timer = setTimeout(() => setJustBack(false), 4000);
    return () => clearTimeout(timer);
  }, [resumed]);

  if (state === 'lost') {
    return (
      <div className="banner warn connection-banner" role="alert" data-field="connection">
        <p id={CONNECTION_REASON_ID}>
          <strong>Stigmer Local is not responding.</strong> Its services may still be running.
          Reconnecting{seconds ? ` in ${seconds} s` : '…'}
        </p>
        <p className="hint small">
          {DISCONNECTED_REASON} If you quit Stigmer Local, start it again (
          <code>npm run start:browser</code>) and open the new link it prints.
        </p>
      </div>
    );
  }
  if (state === 'connected' && justBack) {
    return (
      <div className="banner ok connection-banner" role="status" data-field="connection-back">
        <p>Reconnected to Stigmer Local; everything shown was read again.</p>
      </div>
    );
  }
  return null;
}

/** The whole window for a page opened without the run's token, or with one from an old run. */
export function NeedsLink({ refused }: { refused: boolean }) {
  return (
    <main className="needs-link" data-field="needs-link">
      <h1>Open Stigmer Local from its link</h1>
      {refused ? (
        <p>
          This link’s token is not accepted: it is from an earlier run of Stigmer Local, or it was
          changed. Each run prints a new link with a new one-time token.
        </p>
      ) : (
        <p>
          This page needs the link Stigmer Local printed when it started (it holds a one-time
          token). A new tab or a bookmark does not have it.
        </p>
      )}
      <p>
        Run <code>npm run start:browser</code> and open the link it prints (
        <code>http://127.0.0.1:…/#token=…</code>). If Stigmer Local is already running, its terminal
        shows that link; a second start prints it too.
      </p>
    </main>
  );
}
