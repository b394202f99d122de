import type { ServiceStatus } from '../../../src-shared/model/service';
import { needLabel, runtimeLabel } from '../../../src-shared/model/runtime';
import type { ProgramName } from '../../../src-shared/model/settings';

/** "needs Node 22.13+" */
const needs = (need: NonNullable<ServiceStatus['runtimeNeeded']>) =>
  needLabel(need).replace(/^Needs/, 'needs');

/**
 * What became of a program, shown beside its field: "found", "not found", "found, but needs Node
 * 22.13+"; for `node`, which service runs on which Node ("agent-runner runs on Node v22.23.5
 * (Settings)") and which lack one. Null when there is nothing to say yet.
 */
export function programState(name: ProgramName, services: ServiceStatus[]): string | null {
  if (name !== 'node') {
    const service = services.find((s) => s.name === name);
    if (!service) return null;
    if (service.state === 'not-installed' && service.runtimeNeeded) {
      return `found, but ${needs(service.runtimeNeeded)}`;
    }
    return service.state === 'not-installed' ? 'not found' : 'found';
  }
  const uses = services.flatMap((s) =>
    s.runtime ? [`${s.name} runs on ${runtimeLabel(s.runtime)}`] : [],
  );
  const lacking = services.flatMap((s) =>
    s.state === 'not-installed' && s.runtimeNeeded ? [`${s.name} ${needs(s.runtimeNeeded)}`] : [],
  );
  const all = [...uses, ...lacking];
  return all.length > 0 ? all.join('; ') : null;
}
