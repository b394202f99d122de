import { settingLabel } from '../../../src-shared/model/setting-labels';

/** The router's wording for a request its schema refused (src-main/ipc/router.ts). */
const ROUTER_REFUSAL = /^Invalid arguments for settings:set: (.*?)\.?$/s;

/** One "path: message" issue of the router's list ("keyIdleMinutes: at most 1440 (one day)"). */
function plainIssue(issue: string): string {
  const colon = issue.indexOf(': ');
  if (colon < 0) return issue;
  const path = issue.slice(0, colon);
  const why = issue.slice(colon + 2);
  const label = path === 'arguments' ? 'These settings' : settingLabel(path);
  // The schema's own messages complete "must be …"; a library message stands on its own.
  return /^[a-z]/.test(why) ? `${label} must be ${why}` : `${label}: ${why}`;
}

/**
 * A failed settings save in the words the form uses: the router's "Invalid arguments for
 * settings:set: keyIdleMinutes: …" becomes "Forget keys after (minutes) must be …. Nothing was
 * changed; …". Any other message (already advice from the core) is returned unchanged.
 */
export function plainSettingsError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const refused = ROUTER_REFUSAL.exec(message);
  if (!refused) return message;
  const issues = refused[1]!.split('; ').map(plainIssue);
  return `${issues.join('. ')}. Nothing was changed; correct it and save again.`;
}
