import type { SecretsSnapshot } from './secret';

/** A provider key found in plain text in a file: where it is, never its value. */
export interface ImportCandidate {
  /** Stable for one scan: what `secrets:import` names. */
  id: string;
  /** The key it would become (e.g. ANTHROPIC_API_KEY). */
  name: string;
  /** Absolute path of the file it was found in. */
  file: string;
  /** 1-based line of the value. */
  line: number;
  /** HMAC fingerprint of the value (as the Keys view shows one), to compare with a key already set. */
  fingerprint: string;
  /** Why it cannot be imported as it is (fails the provider's format); null when it can. */
  problem: string | null;
  /** Why its line cannot be removed automatically (e.g. a flow mapping); null when it can. */
  removeProblem: string | null;
}

/** One file looked at by a scan. */
export interface ImportSource {
  file: string;
  kind: 'stigmer-config' | 'dotenv';
  /** 'found' (read, maybe with no keys), 'missing', or 'unreadable' with `message`. */
  status: 'found' | 'missing' | 'unreadable';
  message: string | null;
}

/** What `secrets:import-scan` answers. */
export interface ImportScan {
  candidates: ImportCandidate[];
  sources: ImportSource[];
  /** True only for the first automatic scan of this install (the first-run offer). */
  firstRun: boolean;
}

/** One key's outcome in `secrets:import`. */
export interface ImportOutcome {
  id: string;
  name: string;
  file: string;
  imported: boolean;
  /** Its line was removed from the file. */
  removed: boolean;
  /** Advice when it was not imported or not removed; null when all went as asked. */
  message: string | null;
}

/** What `secrets:import` answers. */
export interface ImportResult {
  outcomes: ImportOutcome[];
  keys: SecretsSnapshot;
}

/** What `diagnostics:save` answers: where the bundle is, its size, and how many files it holds. */
export interface DiagnosticsSaved {
  path: string;
  bytes: number;
  files: number;
}
