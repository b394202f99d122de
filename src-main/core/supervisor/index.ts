/** Public API of the process supervisor. */
export { Supervisor } from './supervisor';
export type {
  SupervisorOptions,
  StatusListener,
  OutputListener,
  SignalListener,
} from './supervisor';
export { ServiceProcess } from './service-process';
export { NeedsKeyError, needsKeyAdvice, KeysHeldError, heldAdvice } from './needs-key';
export type {
  ServiceProcessOptions,
  StartOutcome,
  ExitRecord,
  SignalEvent,
  StopReason,
} from './service-process';
export {
  reclaimOrphans,
  readProcessStartTime,
  writePidFile,
  readPidFile,
  removePidFile,
  pidFilePath,
} from './pid-file';
export type { PidFileRecord, ReclaimResult, ReclaimOptions } from './pid-file';
export { checkPortFree, findPortHolder, portInUseAdvice } from './port-check';
export type { PortCheckResult, PortHolder } from './port-check';
export { topologicalOrder, dependenciesOf, dependentsOf, stopLevels } from './dependency-order';
export type { DependencyNode } from './dependency-order';
export type { OutputStream } from './line-tail';
export { UsageSampler, defaultGroupReader } from './resource-usage';
export type { GroupReader, GroupUsage } from './resource-usage';
