import type { StackSpec } from './types';

/**
 * Semantic checks on a merged stack: every depends_on names a known service and there are no
 * cycles. Returns advice lines (empty when fine). `file` prefixes each line.
 */
export function checkDependencies(file: string, spec: StackSpec): string[] {
  const problems: string[] = [];
  const names = spec.services.map((service) => service.name);
  const known = new Set(names);
  for (const service of spec.services) {
    service.dependsOn.forEach((dep, i) => {
      if (dep === service.name) {
        problems.push(
          `${file}: services.${service.name}.depends_on[${i}]: a service cannot depend on itself; remove "${dep}".`,
        );
      } else if (!known.has(dep)) {
        problems.push(
          `${file}: services.${service.name}.depends_on[${i}]: unknown service "${dep}"; known services: ${names.join(', ')}.`,
        );
      }
    });
  }
  if (problems.length === 0) {
    const cycle = findCycle(spec);
    if (cycle) {
      const first = cycle[0] ?? '';
      problems.push(
        `${file}: services.${first}.depends_on: dependency cycle ${cycle.join(' -> ')}; remove one of these dependencies.`,
      );
    }
  }
  return problems;
}

/** The first dependency cycle found, as names with the first repeated at the end, or null. */
export function findCycle(spec: StackSpec): string[] | null {
  const deps = new Map(spec.services.map((service) => [service.name, service.dependsOn]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): string[] | null => {
    const mark = state.get(name);
    if (mark === 'done') return null;
    if (mark === 'visiting') return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, 'visiting');
    stack.push(name);
    for (const dep of deps.get(name) ?? []) {
      const found = visit(dep);
      if (found) return found;
    }
    stack.pop();
    state.set(name, 'done');
    return null;
  };
  for (const service of spec.services) {
    const found = visit(service.name);
    if (found) return found;
  }
  return null;
}
