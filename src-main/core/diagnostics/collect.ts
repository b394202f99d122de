import { readdir } from 'node:fs/promises';
import { arch, release, type as osType } from 'node:os';
import type { AuditEntry, VerifyResult } from '../../../src-shared/model/audit';
import type { SecretInfo } from '../../../src-shared/model/secret';
import type { ServiceStatus } from '../../../src-shared/model/service';
import { readTail } from '../logs';
import type { StackSpec } from '../stack/types';

/** Everything the bundle is made from, read through the core (passed in by app-core). */
export interface DiagnosticsSources {
  version: string;
  host: string;
  logDir: string;
  spec: () => StackSpec;
  stackFile: () => { path: string; exists: boolean; error: string | null };
  statuses: () => ServiceStatus[];
  settings: () => unknown;
  keys: () => SecretInfo[];
  keychain: () => { backend: string; available: boolean; reason: string | null };
  journal: () => Promise<AuditEntry[]>;
  verify: () => Promise<VerifyResult>;
  /** The same redactor every log sink uses. */
  redact: (text: string) => string;
}

/** One file of the bundle before packing, with what was taken out of it (for the manifest). */
export interface BundleFile {
  name: string;
  content: string;
  redacted: string[];
}

/** Lines of each log kept in the bundle. */
export const LOG_LINES = 500;
/** Audit entries kept in the bundle (the newest). */
export const AUDIT_ENTRIES = 300;

const EXIT_TYPES = new Set([
  'service.stopped',
  'service.crashed',
  'service.failed',
  'service.crash-loop',
]);

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** Gathers every file of the bundle; nothing here holds a key value (the bundle scans anyway). */
export async function collectDiagnostics(s: DiagnosticsSources): Promise<BundleFile[]> {
  const keys = s.keys();
  const fingerprintOf = (name: string) => keys.find((k) => k.name === name)?.fingerprint ?? null;
  const spec = s.spec();
  const entries = await s.journal().catch(() => [] as AuditEntry[]);
  const files: BundleFile[] = [
    {
      name: 'app.json',
      content: json({
        version: s.version,
        host: s.host,
        os: { type: osType(), release: release(), platform: process.platform, arch: arch() },
        versions: process.versions,
        generatedAt: new Date().toISOString(),
      }),
      redacted: [],
    },
    {
      name: 'stack.json',
      content: json({
        stackFile: s.stackFile(),
        services: spec.services.map((svc) => ({
          name: svc.name,
          displayName: svc.displayName,
          command: svc.command === null ? null : s.redact(svc.command),
          args: svc.args.map((a) => s.redact(a)),
          cwd: svc.cwd,
          envNames: Object.keys(svc.env).sort(),
          keys: svc.keys.map((k) => ({ ...k, fingerprint: fingerprintOf(k.name) })),
          dependsOn: svc.dependsOn,
          readiness: svc.readiness,
          restart: svc.restart,
          stop: svc.stop,
          critical: svc.critical,
          ports: svc.ports,
          searched: svc.searched,
          runtime: svc.runtime ?? null,
          waitFor: svc.waitFor ?? null,
        })),
      }),
      redacted: [
        'env values of every service (names only)',
        'key values (fingerprints only)',
        'command and args passed through the log redactor',
      ],
    },
    { name: 'settings.json', content: json(s.settings()), redacted: [] },
    {
      name: 'services.json',
      content: json({
        services: s.statuses().map((st) => ({
          ...st,
          command: st.command?.map((part) => s.redact(part)) ?? null,
          lastLines: st.lastLines.map((l) => s.redact(l)),
          lastError: st.lastError === null ? null : s.redact(st.lastError),
        })),
        recentExits: entries.filter((e) => EXIT_TYPES.has(e.type)).slice(-50),
      }),
      redacted: ['command, last lines and last error passed through the log redactor'],
    },
    {
      name: 'keychain.json',
      content: json({ keychain: s.keychain(), keys }),
      redacted: ['key values (names, sources and fingerprints only)'],
    },
    {
      name: 'env-names.json',
      content: json(
        Object.fromEntries(
          spec.services.map((svc) => [
            svc.name,
            {
              env: Object.keys(svc.env).sort(),
              keys: svc.keys
                .filter((k) => keys.find((i) => i.name === k.name)?.set)
                .map((k) => k.name),
            },
          ]),
        ),
      ),
      redacted: ['every value (names only)'],
    },
    {
      name: 'audit/tail.jsonl',
      content: entries
        .slice(-AUDIT_ENTRIES)
        .map((e) => `${JSON.stringify(e)}\n`)
        .join(''),
      redacted: [
        'the journal stores names and fingerprints only; key shapes were scrubbed on write',
      ],
    },
    {
      name: 'audit/verify.json',
      content: json(await s.verify().catch((e: unknown) => ({ ok: false, reason: String(e) }))),
      redacted: [],
    },
  ];
  for (const service of await logServices(s.logDir)) {
    const lines = await readTail(s.logDir, service, LOG_LINES).catch(() => []);
    let changed = 0;
    const text = lines
      .map((line) => {
        const redacted = s.redact(line.text);
        if (redacted !== line.text) changed++;
        return `${new Date(line.time).toISOString()} ${line.stream} ${line.level} ${redacted}\n`;
      })
      .join('');
    files.push({
      name: `logs/${service}.log`,
      content: text,
      redacted: [
        `the last ${lines.length} lines, passed through the log redactor (${changed} changed)`,
      ],
    });
  }
  return files;
}

/** Services with a log file in the log folder (`<name>.log`), sorted. */
async function logServices(logDir: string): Promise<string[]> {
  const names = await readdir(logDir).catch(() => [] as string[]);
  return names
    .filter((n) => n.endsWith('.log') && /^[A-Za-z0-9][A-Za-z0-9._-]*\.log$/.test(n))
    .map((n) => n.slice(0, -4))
    .sort();
}
