/** The diagnostics bundle: what goes in (collect) and how it is written (bundle). */
export { collectDiagnostics, AUDIT_ENTRIES, LOG_LINES } from './collect';
export type { BundleFile, DiagnosticsSources } from './collect';
export { bundleName, writeBundle } from './bundle';
export type { Manifest, ManifestFile, WriteBundleOptions } from './bundle';
export { diagnosticsHandlers } from './handlers';
