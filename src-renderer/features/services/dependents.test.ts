import { describe, expect, it } from 'vitest';
import { serviceStatus } from '../../../src-shared/model/test-snapshots';
import {
  dependentsOf,
  dependentsStoppedBy,
  namesList,
  stopDependentsText,
  stoppedByNote,
  stoppedWith,
} from './dependents';

const server = serviceStatus('stigmer-server', 'ready', { displayName: 'Stigmer server' });
const runner = serviceStatus('agent-runner', 'ready', {
  displayName: 'Agent runner',
  dependsOn: ['stigmer-server'],
});
const ui = serviceStatus('ui', 'stopped', { displayName: 'UI', dependsOn: ['agent-runner'] });
const other = serviceStatus('other', 'ready', { displayName: 'Other' });
const by = { name: 'stigmer-server', displayName: 'Stigmer server' };

describe('dependents', () => {
  it('finds dependents through others, in stack order; only the running ones are stopped', () => {
    const all = [ui, server, other, runner];
    expect(dependentsOf(all, 'stigmer-server').map((s) => s.name)).toEqual(['ui', 'agent-runner']);
    expect(dependentsStoppedBy(all, 'stigmer-server').map((s) => s.name)).toEqual(['agent-runner']);
    expect(dependentsStoppedBy(all, 'other')).toEqual([]);
  });

  it('words the confirmation and the row note', () => {
    expect(stopDependentsText(server, [runner])).toBe(
      'Stopping Stigmer server also stops Agent runner, which needs it.',
    );
    expect(stopDependentsText(server, [runner, ui])).toBe(
      'Stopping Stigmer server also stops Agent runner and UI, which need it.',
    );
    expect(namesList([runner, ui, other])).toBe('Agent runner, UI and Other');
    const stopped = { ...runner, state: 'stopped' as const, stoppedBy: by };
    expect(stoppedByNote(stopped)).toBe(
      'Stopped because Stigmer server was stopped. Starting Stigmer server again offers to bring it back.',
    );
    // Running again: the note is gone even if a stale cause came along.
    expect(stoppedByNote({ ...stopped, state: 'ready' })).toBe('');
    expect(stoppedWith([server, stopped, ui], 'stigmer-server')).toEqual([stopped]);
  });
});
