export type { Readiness, RestartPolicy, ServiceSpec, StackSpec, StopStrategy } from './types';
export { baseEnv, isSecretName, BASE_ENV_NAMES } from './base-env';
export { parseDuration } from './durations';
export {
  DEFAULT_RESTART,
  RUNNER_KEYS,
  RUNNER_READY_PATTERN,
  SERVER_PORT,
  TEMPORAL_PORT,
  defaultStack,
  externalTemporalAddress,
  workspaceDir,
  type DefaultStackOptions,
} from './default-stack';
export {
  DEFAULT_SERVICE_NAMES,
  discoverBinaries,
  discoverBinary,
  type BinarySettings,
  type DefaultServiceName,
  type DiscoveredBinary,
  type DiscoveryOptions,
  type NodeRuntime,
} from './discovery';
export { DIRECTORY_ENTRIES, findOnPath } from './path-search';
export { STACK_FILE_NAMES, parseStackFile, readStackFile, type StackFileRead } from './stack-file';
export { StackFileError } from './stack-file-errors';
export type { StackFileConfig } from './stack-file-schema';
export { applyStackFile, type MergeContext } from './stack-merge';
export {
  StackLoader,
  loadStack,
  type StackFileStatus,
  type StackLoadResult,
  type StackLoaderOptions,
} from './load-stack';
