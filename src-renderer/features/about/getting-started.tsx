import { useId } from 'react';
import { useNavigation } from '../../stores/navigation';
import { useServices } from '../../stores/services';
import { ExternalLink, HELP_LINKS } from './links';

/**
 * Shown above the Services rows when no service has a program (a fresh machine): what to install,
 * where the app looks, where to set paths, and where to read more. Gone once anything is found.
 */
export function GettingStarted() {
  const id = useId();
  const snapshot = useServices((s) => s.snapshot);
  if (!snapshot || snapshot.services.length === 0) return null;
  if (snapshot.services.some((s) => s.state !== 'not-installed')) return null;
  const names = snapshot.services.map((s) => s.displayName);

  return (
    <section
      className="getting-started"
      aria-labelledby={`${id}-title`}
      data-testid="getting-started"
    >
      <h1 id={`${id}-title`}>Get started</h1>
      <p>
        Nothing to run yet: none of the programs of this stack ({names.join(', ')}) was found on
        this computer.
      </p>
      <ol>
        <li>
          Install Stigmer (<ExternalLink href={HELP_LINKS.docs.href}>how</ExternalLink>). Its
          programs are found on PATH or in <code>~/.stigmer/bin</code>; Temporal is optional (the
          agent runner can use a Temporal you run yourself).
        </li>
        <li>
          Installed somewhere else? Say where in{' '}
          <button
            type="button"
            className="link"
            onClick={() => useNavigation.getState().go('settings')}
          >
            Settings → Programs
          </button>
          , or set <code>command</code> in the stack file <code>{snapshot.stackFile.path}</code>.
        </li>
        <li>
          The agent runner calls Claude:{' '}
          <ExternalLink href={HELP_LINKS.anthropicKey.href}>
            {HELP_LINKS.anthropicKey.label}
          </ExternalLink>
          , then enter it under Keys.
        </li>
      </ol>
      <p className="hint">Each service below lists the places that were searched.</p>
    </section>
  );
}
