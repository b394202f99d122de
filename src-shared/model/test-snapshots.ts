import { stackStateOf, type ServiceState, type ServiceStatus, type StackSnapshot } from './service';

/** A ServiceStatus for tests (shell, renderer): idle defaults, then `extra`. */
export function serviceStatus(
  name: string,
  state: ServiceState,
  extra: Partial<ServiceStatus> = {},
): ServiceStatus {
  return {
    name,
    displayName: name,
    state,
    critical: true,
    dependsOn: [],
    pid: null,
    startedAt: null,
    readyAt: null,
    restarts: 0,
    ports: [],
    lastError: null,
    lastLines: [],
    nextRestartAt: null,
    command: null,
    searched: [],
    neededKeys: [],
    ...extra,
  };
}

/** A StackSnapshot of `services`, its state derived the way the core derives it. */
export function stackSnapshot(services: ServiceStatus[]): StackSnapshot {
  return {
    state: stackStateOf(services),
    services,
    stackFile: { path: '/home/u/.stigmer/stack.yaml', exists: false, error: null },
    version: 1,
  };
}
