import { describe, expect, it } from 'vitest';
import { filterOptions, keyLabel, KNOWN_KEYS } from './audit-names';

const LABELS: Record<string, string> = { 'agent-runner': 'Agent runner', temporal: 'Temporal' };
const label = (id: string) => LABELS[id] ?? id;

describe('filterOptions', () => {
  it('offers the known ids and those the journal shows, once each, sorted by what people read', () => {
    const options = filterOptions(
      ['temporal', 'agent-runner'],
      ['agent-runner', null, 'old-service', 'agent-runner'],
      '',
      label,
    );
    expect(options).toEqual([
      { value: 'agent-runner', label: 'Agent runner' },
      { value: 'old-service', label: 'old-service' },
      { value: 'temporal', label: 'Temporal' },
    ]);
  });

  it('keeps the selected id offered when nothing shown mentions it any more', () => {
    expect(filterOptions([], [], 'gone', label)).toEqual([{ value: 'gone', label: 'gone' }]);
  });

  it('names the known keys as the Keys view does', () => {
    const options = filterOptions(KNOWN_KEYS, [], '', keyLabel);
    expect(options.map((o) => o.label)).toEqual([
      'Anthropic API key',
      'Cursor API key',
      'OpenAI API key',
    ]);
    expect(keyLabel('CUSTOM_TOKEN')).toBe('CUSTOM_TOKEN');
  });
});
