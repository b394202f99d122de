import { useServices } from '../../stores/services';
import { useLogs, ALL_VIEW } from '../../stores/logs';

/** Tabs: "All", then each known service (from the services snapshot and lines seen so far). */
export function LogTabs({ selected, onSelect }: { selected: string; onSelect(tab: string): void }) {
  const services = useServices((s) => s.snapshot?.services);
  const seen = useLogs((s) => Object.keys(s.views).join('\n'));
  const names = new Map<string, string>();
  for (const s of services ?? []) names.set(s.name, s.displayName);
  for (const key of seen.split('\n'))
    if (key && key !== ALL_VIEW && !names.has(key)) names.set(key, key);
  const tabs = [[ALL_VIEW, 'All'] as const, ...names];
  return (
    <div className="log-tabs" role="tablist" aria-label="Log sources">
      {tabs.map(([key, label]) => (
        <button
          key={key}
          type="button"
          role="tab"
          id={`log-tab-${key === ALL_VIEW ? 'all' : key}`}
          aria-selected={key === selected}
          aria-controls="log-panel"
          tabIndex={key === selected ? 0 : -1}
          data-tab={key === ALL_VIEW ? 'all' : key}
          onClick={() => onSelect(key)}
          onKeyDown={(e) => {
            const at = tabs.findIndex(([k]) => k === key);
            const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
            if (!step) return;
            const next = tabs[(at + step + tabs.length) % tabs.length]![0];
            onSelect(next);
            document.getElementById(`log-tab-${next === ALL_VIEW ? 'all' : next}`)?.focus();
          }}
        >
          {label}
        </button>
      ))}
    </div>
  );
}
