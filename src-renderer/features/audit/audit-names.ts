import { useServices } from '../../stores/services';
import { keyMeta } from '../secrets/catalog';

/** One choice of a dropdown filter: the id the journal holds, and what a person reads. */
export interface FilterOption {
  value: string;
  label: string;
}

/** The keys the app knows, offered even before the journal mentions them. */
export const KNOWN_KEYS = ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY', 'CURSOR_API_KEY'] as const;

/**
 * The choices of a filter: the ids known now (the stack's services, the app's keys), those the
 * journal shows (a service since removed), and the one selected, each once, by label.
 */
export function filterOptions(
  known: readonly string[],
  seen: Iterable<string | null>,
  selected: string,
  label: (id: string) => string,
): FilterOption[] {
  const ids = new Set<string>(known);
  for (const id of seen) if (id) ids.add(id);
  if (selected) ids.add(selected);
  return [...ids]
    .map((value) => ({ value, label: label(value) }))
    .sort((a, b) => a.label.localeCompare(b.label));
}

/** "Anthropic API key" for ANTHROPIC_API_KEY; an unknown name as it is. */
export const keyLabel = (name: string): string => keyMeta(name).title;

/** A service's display name from the stack ("Agent runner"), or its id when it is not there. */
export function useServiceLabel(name: string | null): string {
  const display = useServices(
    (s) => s.snapshot?.services.find((service) => service.name === name)?.displayName,
  );
  return name === null ? '' : (display ?? name);
}

/** The stack's services as filter choices, by display name. */
export function useServiceLabels(): { names: string[]; label(id: string): string } {
  const services = useServices((s) => s.snapshot?.services);
  const names = services?.map((s) => s.name) ?? [];
  return {
    names,
    label: (id) => services?.find((s) => s.name === id)?.displayName ?? id,
  };
}
