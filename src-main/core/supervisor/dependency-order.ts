/** The part of a service definition the dependency graph needs. */
export interface DependencyNode {
  name: string;
  dependsOn: readonly string[];
}

/**
 * Services in start order: every service after all it depends on, otherwise in declaration
 * order (so the UI and the logs read the way the stack file is written). Throws a readable
 * error for an unknown dependency or a cycle.
 */
export function topologicalOrder(nodes: readonly DependencyNode[]): string[] {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  for (const node of nodes) {
    for (const dep of node.dependsOn) {
      if (!byName.has(dep)) {
        throw new Error(
          `Service ${node.name} depends on "${dep}", which is not defined in the stack. Fix dependsOn in the stack file.`,
        );
      }
    }
  }
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]): void => {
    const mark = state.get(name);
    if (mark === 'done') return;
    if (mark === 'visiting') {
      const cycle = [...path.slice(path.indexOf(name)), name].join(' -> ');
      throw new Error(
        `The services depend on each other in a circle (${cycle}), so none can start first. Remove one dependsOn entry in the stack file.`,
      );
    }
    state.set(name, 'visiting');
    for (const dep of byName.get(name)!.dependsOn) visit(dep, [...path, name]);
    state.set(name, 'done');
    order.push(name);
  };
  for (const node of nodes) visit(node.name, []);
  return order;
}

/** Everything `name` needs, directly or not, in start order (without `name` itself). */
export function dependenciesOf(nodes: readonly DependencyNode[], name: string): string[] {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const needed = new Set<string>();
  const walk = (n: string): void => {
    for (const dep of byName.get(n)?.dependsOn ?? []) {
      if (!needed.has(dep)) {
        needed.add(dep);
        walk(dep);
      }
    }
  };
  walk(name);
  return topologicalOrder(nodes).filter((n) => needed.has(n));
}

/** Everything that needs `name`, directly or not, in start order (without `name` itself). */
export function dependentsOf(nodes: readonly DependencyNode[], name: string): string[] {
  const order = topologicalOrder(nodes);
  const affected = new Set([name]);
  for (const n of order) {
    const node = nodes.find((x) => x.name === n)!;
    if (node.dependsOn.some((d) => affected.has(d))) affected.add(n);
  }
  return order.filter((n) => n !== name && affected.has(n));
}

/**
 * Stop levels: lists of services that can stop in parallel, dependents before what they
 * depend on. Falls back to reverse declaration order when the graph is broken, because
 * stopping must always work.
 */
export function stopLevels(nodes: readonly DependencyNode[]): string[][] {
  let order: string[];
  try {
    order = topologicalOrder(nodes);
  } catch {
    return [...nodes].reverse().map((n) => [n.name]);
  }
  const depth = new Map<string, number>();
  for (const n of order) {
    const deps = nodes.find((x) => x.name === n)!.dependsOn;
    depth.set(n, deps.length === 0 ? 0 : 1 + Math.max(...deps.map((d) => depth.get(d) ?? 0)));
  }
  const levels: string[][] = [];
  for (const n of order) (levels[depth.get(n)!] ??= []).push(n);
  return levels.filter(Boolean).reverse();
}
