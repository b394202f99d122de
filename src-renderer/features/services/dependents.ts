import { UP_STATES, type ServiceStatus } from '../../../src-shared/model/service';

/** Every service that needs `name`, also through others, in stack order. */
export function dependentsOf(services: readonly ServiceStatus[], name: string): ServiceStatus[] {
  const found = new Set<string>([name]);
  // Fixed point over the graph: the stack is small, and a cycle (rejected by the core) ends too.
  for (let grew = true; grew;) {
    grew = false;
    for (const s of services) {
      if (!found.has(s.name) && s.dependsOn.some((d) => found.has(d))) {
        found.add(s.name);
        grew = true;
      }
    }
  }
  return services.filter((s) => s.name !== name && found.has(s.name));
}

/** The dependents a Stop of `name` would stop (the ones up or on their way up). */
export function dependentsStoppedBy(
  services: readonly ServiceStatus[],
  name: string,
): ServiceStatus[] {
  return dependentsOf(services, name).filter((s) => UP_STATES.includes(s.state));
}

/** The services still stopped because the user stopped `name` (a Start offers them). */
export function stoppedWith(services: readonly ServiceStatus[], name: string): ServiceStatus[] {
  return services.filter((s) => s.state === 'stopped' && s.stoppedBy?.name === name);
}

/** "Agent runner", "Agent runner and UI", "A, B and C". */
export function namesList(services: readonly ServiceStatus[]): string {
  const names = services.map((s) => s.displayName);
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** "Stopping Stigmer server also stops Agent runner, which needs it." */
export function stopDependentsText(service: ServiceStatus, dependents: ServiceStatus[]): string {
  const which = dependents.length === 1 ? 'which needs it' : 'which need it';
  return `Stopping ${service.displayName} also stops ${namesList(dependents)}, ${which}.`;
}

/** The row's note: "Stopped because Stigmer server was stopped." (empty when it has none). */
export function stoppedByNote(service: ServiceStatus): string {
  if (service.state !== 'stopped' || !service.stoppedBy) return '';
  const by = service.stoppedBy.displayName;
  return `Stopped because ${by} was stopped. Starting ${by} again offers to bring it back.`;
}
