import type { ProgramName } from './settings';

/** What a person reads for each program in Settings → Programs (never the service id alone). */
export const PROGRAM_LABELS: Record<ProgramName, string> = {
  temporal: 'Temporal program',
  'stigmer-server': 'Stigmer server program',
  'agent-runner': 'Agent runner program',
  node: 'Node for Node programs',
};

/** The words shown for each setting, by its field path (as the settings schema names it). */
const SETTING_LABELS: Record<string, string> = {
  keyIdleMinutes: 'Forget keys after (minutes)',
  launchAtLogin: 'Start at login',
  autoUpdates: 'Check for updates automatically',
  binaries: 'Programs',
  ...Object.fromEntries(
    Object.entries(PROGRAM_LABELS).map(([name, label]) => [`binaries.${name}`, label]),
  ),
};

/**
 * The label of a setting by its field path ("keyIdleMinutes", "binaries.temporal"); an unknown
 * path is kept as it is, so a new field still says something rather than nothing.
 */
export function settingLabel(path: string): string {
  return SETTING_LABELS[path] ?? path;
}
