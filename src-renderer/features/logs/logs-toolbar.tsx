import type { KeyboardEvent } from 'react';
import { LOG_LEVELS, LOG_STREAMS, type LogStream } from '../../../src-shared/model/log';
import type { LevelKey } from './visible-index';
import { disabledBecause, WhyDisabled } from '../../components/why-disabled';

const LEVEL_KEYS: readonly LevelKey[] = [...LOG_LEVELS, 'none'];

/** Everything the toolbar shows and changes; owned by the Logs view. */
export interface ToolbarState {
  query: string;
  matchLabel: string;
  levels: ReadonlySet<LevelKey>;
  streams: ReadonlySet<LogStream>;
  wrap: boolean;
  showTime: boolean;
  follow: boolean;
  visibleCount: number;
}

/** Callbacks for the toolbar's controls. */
export interface ToolbarActions {
  setQuery(q: string): void;
  next(): void;
  previous(): void;
  toggleLevel(level: LevelKey): void;
  toggleStream(stream: LogStream): void;
  setWrap(on: boolean): void;
  setShowTime(on: boolean): void;
  setFollow(on: boolean): void;
  exportLines(): void;
  copyLines(): void;
  openFolder(): void;
  clear(): void;
}

function Toggle(props: { label: string; on: boolean; set(on: boolean): void }) {
  return (
    <button type="button" aria-pressed={props.on} onClick={() => props.set(!props.on)}>
      {props.label}
    </button>
  );
}

/** Search, filters, toggles and actions above the log list. */
export function LogsToolbar({ state, actions }: { state: ToolbarState; actions: ToolbarActions }) {
  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key !== 'Enter') return;
    e.preventDefault();
    if (e.shiftKey) actions.previous();
    else actions.next();
  };
  const noMatches = state.matchLabel === '' || state.matchLabel === 'No matches';
  // Disabled buttons say why (tooltip + accessible description).
  const whyNoMatch = noMatches
    ? state.query.trim() === ''
      ? 'Type in Search first.'
      : 'No shown line matches the search.'
    : null;
  const whyNoLines = state.visibleCount === 0 ? 'No lines are shown.' : null;
  return (
    <div className="log-toolbar">
      <div className="log-search" role="search">
        <input
          type="search"
          aria-label="Search logs"
          placeholder="Search"
          value={state.query}
          onChange={(e) => actions.setQuery(e.target.value)}
          onKeyDown={onKey}
        />
        <span className="match-count" data-field="match-count" aria-live="polite">
          {state.matchLabel}
        </span>
        <button
          type="button"
          onClick={actions.previous}
          {...disabledBecause('why-log-search', whyNoMatch)}
        >
          Previous
        </button>
        <button
          type="button"
          onClick={actions.next}
          {...disabledBecause('why-log-search', whyNoMatch)}
        >
          Next
        </button>
        <WhyDisabled id="why-log-search" reason={whyNoMatch} />
      </div>
      <fieldset className="log-filter">
        <legend>Levels</legend>
        {LEVEL_KEYS.map((level) => (
          <label key={level} className={`level-chip level-${level}`}>
            <input
              type="checkbox"
              aria-label={level === 'none' ? 'Show lines with no level' : `Show ${level} lines`}
              checked={state.levels.has(level)}
              onChange={() => actions.toggleLevel(level)}
            />
            {level === 'none' ? 'no level' : level}
          </label>
        ))}
      </fieldset>
      <fieldset className="log-filter">
        <legend>Streams</legend>
        {LOG_STREAMS.map((stream) => (
          <label key={stream}>
            <input
              type="checkbox"
              aria-label={`Show ${stream} lines`}
              checked={state.streams.has(stream)}
              onChange={() => actions.toggleStream(stream)}
            />
            {stream}
          </label>
        ))}
      </fieldset>
      <div className="actions">
        <Toggle label="Wrap lines" on={state.wrap} set={actions.setWrap} />
        <Toggle label="Show timestamps" on={state.showTime} set={actions.setShowTime} />
        <Toggle label="Follow" on={state.follow} set={actions.setFollow} />
        <button
          type="button"
          onClick={actions.exportLines}
          {...disabledBecause('why-log-lines', whyNoLines)}
        >
          Export…
        </button>
        <button
          type="button"
          onClick={actions.copyLines}
          {...disabledBecause('why-log-lines', whyNoLines)}
        >
          Copy
        </button>
        <WhyDisabled id="why-log-lines" reason={whyNoLines} />
        <button type="button" onClick={actions.openFolder}>
          Open log folder
        </button>
        <button type="button" onClick={actions.clear}>
          Clear view
        </button>
      </div>
    </div>
  );
}
