import type { ImportOutcome } from '../../../src-shared/model/key-import';
import { keyMeta } from '../secrets/catalog';

/** What happened to each chosen key: imported, removed from its file, or why not. */
export function ImportOutcomes({ outcomes }: { outcomes: ImportOutcome[] }) {
  return (
    <ul className="import-outcomes" aria-label="Import results" role="status">
      {outcomes.map((o) => (
        <li key={o.id} data-name={o.name} data-imported={o.imported} data-removed={o.removed}>
          <strong>{keyMeta(o.name).title}</strong>:{' '}
          {o.imported
            ? o.removed
              ? 'imported, and its line was removed from the file.'
              : 'imported; the file was left as it was.'
            : 'not imported.'}
          {o.message && <p className={o.imported ? 'hint' : 'error-text'}>{o.message}</p>}
        </li>
      ))}
    </ul>
  );
}
