import { join } from 'node:path';
import type { EventChannel, EventPayload } from '../../src-shared/ipc/contract';
import { UserError } from '../../src-shared/model/errors';
import type { KeyDialogRequest } from '../../src-shared/model/secret';
import { stackStateOf, type StackSnapshot } from '../../src-shared/model/service';
import type { Handlers } from '../../src-shared/ipc/handlers';
import type { Actor, AppCore, AppCoreOptions, CoreEventListener } from './app-core-types';
import type { CoreParts } from './app-core-parts';
import { stackActions } from './app-core-actions';
import { coreHandlers } from './app-core-handlers';
import { importAndDiagnosticsHandlers } from './app-core-import-diagnostics';
import { captureModeFrom, createLogCapture } from './logs';
import { AlwaysGrant, SecretStore, openKeychain } from './secrets';
import { AuditJournal } from './audit';
import { AuditRecorder } from './audit-recorder';
import { SettingsStore } from './settings-store';
import { adoptEnvironmentKeys, keyInjector, secretsSnapshot } from './key-injection';
import { KeyDeliveries } from './key-deliveries';
import { StackLoader } from './stack';
import { Supervisor, defaultGroupReader } from './supervisor';
import { startUsageReports } from './usage-reports';
import { Attention } from './attention';
import { setDescendantScanPace } from './supervisor/descendants';
import { logMarkerFor } from './log-markers';
import { ensurePrivateDir } from './private-files';
import { BusyTracker } from './updates';

export type { AppCore, AppCoreOptions } from './app-core-types';

/**
 * The composition root of the core: builds the stack loader and the supervisor from real
 * paths, and exposes the IPC handlers both hosts route to. Nothing else lives here.
 */
export async function createAppCore(options: AppCoreOptions): Promise<AppCore> {
  const runDir = join(options.userDataDir, 'run');
  // What the app keeps is the user's alone: folders 0700, files 0600 (also ones an older version left).
  const privateDirs = [
    options.userDataDir,
    runDir,
    options.logDir,
    join(options.userDataDir, 'audit'),
  ];
  for (const dir of privateDirs) await ensurePrivateDir(dir);

  const settings = new SettingsStore(options.userDataDir);
  const initialSettings = await settings.load();
  const loader = new StackLoader({
    userDataDir: options.userDataDir,
    appEnv: options.env,
    nodeExecutable: options.nodeExecutable,
    nodeEnv: options.nodeEnv,
    nodeVersion: options.nodeVersion,
    homeDir: options.homeDir,
    settings: initialSettings.binaries,
    bundledRunnerDir: options.bundledRunnerDir ?? null,
  });
  const keychain = options.keychain ?? (await openKeychain({ platform: process.platform }));
  const gate = options.gate ?? new AlwaysGrant();
  const touchIdAvailable = gate.kind === 'touch-id' && (await gate.available());
  const applySettings = (s: { keyIdleMinutes: number; autoUpdates: boolean }) => {
    options.updates?.setEnabled(s.autoUpdates);
    secrets.setIdleMs(s.keyIdleMinutes === 0 ? Infinity : s.keyIdleMinutes * 60_000);
  };
  const secrets = await SecretStore.open({ userDataDir: options.userDataDir, keychain, gate });
  applySettings(initialSettings);
  const auditDir = join(options.userDataDir, 'audit');
  const journal = await AuditJournal.open({ dir: auditDir });
  // Every byte a child prints goes to its rotating log file (and the log viewer), redacted; the
  // capture runs in a worker thread (STIGMER_LOCAL_CAPTURE=inline: on this thread, for the bench).
  const logs = createLogCapture({
    logDir: options.logDir,
    mode: captureModeFrom(options.env),
    onProblem: (message) => console.error(`[logs] ${message}`),
    onFileError: (service, error, lost) =>
      console.error(
        `[logs] ${service}: could not write its log file: ${error.message}; ${lost.lines} lines were not written`,
      ),
    onFileRecovered: (service, gap) =>
      console.error(
        `[logs] ${service}: log file writable again; ${gap.lines} lines (${gap.bytes} bytes) were not written (${gap.reason})`,
      ),
  });
  const recorder = new AuditRecorder(
    journal,
    (error) => console.error(`[audit] ${error instanceof Error ? error.message : String(error)}`),
    // Service events also go into that service's log, where a reader looks for them.
    (input) => {
      const marker = logMarkerFor(input);
      if (marker && input.service) logs.mark(input.service, marker.text, marker.level);
    },
  );
  // Key events are journalled under the actor of the action that caused them: the window for
  // everything typed in it, unless an action from elsewhere (the tray's Lock keys) says so while
  // the store emits (synchronously) inside it. Releases and evictions are always 'system'.
  let keyActor: Actor = 'window';
  // Which running pid got which key value: named in the Keys view after a delete or lock.
  const deliveries = new KeyDeliveries(
    (name) => loaded.spec.services.find((s) => s.name === name)?.keys.map((k) => k.name) ?? [],
    (key) => secrets.info(key),
  );
  secrets.onEvent((event) => {
    if (event.type === 'key.deleted') deliveries.revoked(event.name, 'deleted');
    if (event.type === 'key.locked') deliveries.revoked(event.name, 'locked');
    recorder.secretEvent(event, keyActor);
  });
  await adoptEnvironmentKeys(secrets, options.env);
  secrets.startIdleEviction();
  const supervisor = new Supervisor({
    runDir,
    // A key's release is on disk in the journal before the child that gets it is spawned.
    prepareEnv: keyInjector(secrets, recorder),
    redact: (line) => logs.redactLine(line),
    outputBackpressure: () => logs.backpressure(),
  });
  // The capture must be the last reader of a chunk: it may transfer it to its worker.
  supervisor.onOutput((name, stream, chunk) => logs.write(name, stream, chunk));
  // Every signal the app sends: a system line in that service's log (via onRecord) and the journal.
  supervisor.onSignal((name, e) => {
    void recorder.record({
      type: 'service.signal',
      actor: 'system',
      service: name,
      pid: e.pid,
      outcome: 'info',
      detail: e.detail,
    });
  });
  // The journal takes entries again (the gap entry is on disk): start what was held back.
  recorder.onRecovered(() => void supervisor.startWaiting(['held']).catch(() => undefined));
  const runStartedAt = Date.now();
  // Children left behind by a previous run that crashed are ours to stop, and only ours.
  await supervisor.reclaimOrphans();

  let loaded = await loader.load();
  supervisor.setSpec(loaded.spec);

  let version = 0;
  const listeners = new Set<CoreEventListener>();
  const emit = <C extends EventChannel>(channel: C, payload: EventPayload<C>): void => {
    for (const listener of listeners) listener(channel, payload);
  };
  // An update never installs while a key rotation or a start is in flight (issue 14).
  const busy = new BusyTracker(supervisor);
  options.updates?.attachBusy(busy);
  options.updates?.onChange((status) => emit('updates:changed', status));
  const snapshot = (): StackSnapshot => {
    const services = supervisor.statuses();
    return { state: stackStateOf(services), services, stackFile: loaded.file, version: ++version };
  };
  const keysSnapshot = () =>
    secretsSnapshot(
      secrets,
      keychain,
      touchIdAvailable,
      loaded.spec,
      supervisor.statuses(),
      deliveries.stale(),
    );
  let lastNeeded = '';
  const keysOf = (name: string) =>
    loaded.spec.services.find((s) => s.name === name)?.keys.map((k) => k.name) ?? [];
  supervisor.onChange((statuses) => {
    deliveries.observe(statuses);
    recorder.servicesChanged(statuses, secrets, keysOf);
    emit('services:changed', snapshot());
    const keys = keysSnapshot();
    // Also when a process holding an old key exits or restarts (the Keys notice goes away).
    const stale = (keys.staleConsumers ?? []).map((c) => `${c.service}:${c.pid}:${c.key}`);
    const changed = `${keys.needed.join()}|${stale.join()}`;
    if (changed !== lastNeeded) {
      lastNeeded = changed;
      emit('secrets:changed', keys);
    }
  });
  secrets.onChange(() => {
    // Key values (and a rotated-out value) are redacted from every log sink from now on.
    logs.setSecrets(secrets.redactionList());
    emit('secrets:changed', keysSnapshot());
  });
  logs.setSecrets(secrets.redactionList());
  logs.onBatch((lines, skipped) => emit('logs:lines', { lines, skipped }));
  logs.onRedaction((report) => {
    for (const name of report.names) {
      void recorder.record({
        type: 'key.redacted',
        actor: 'system',
        service: report.service,
        key: /^[A-Z][A-Z0-9_]*$/.test(name) ? name : null,
        outcome: 'info',
        detail: `${report.service} printed ${name}; it was redacted from its logs.`,
      });
    }
  });
  journal.onAppend((entry) => emit('audit:appended', entry));

  /** Reads the stack file and looks for the binaries again; the last good stack stays on error. */
  const reloadStack = async (): Promise<StackSnapshot> => {
    loaded = await loader.load();
    supervisor.setSpec(loaded.spec);
    const next = snapshot();
    emit('services:changed', next);
    return next;
  };

  // CPU and memory of the running services, pushed every 2 s while any runs and someone looks
  // (a visible window, a connected page): the figures feed nothing else.
  const attention = new Attention();
  // Descendant scans keep pace with the figures: every 2 s while someone looks, else 30 s.
  setDescendantScanPace(attention.looking);
  attention.onChange(setDescendantScanPace);
  const usage = startUsageReports({
    attention,
    statuses: () => supervisor.statuses(),
    report: (report) => emit('services:usage', report),
    reader: options.usageReader ?? defaultGroupReader(),
    intervalMs: options.usageIntervalMs ?? 2000,
    onProblem: (message) => console.error(`[usage] ${message}`),
  });

  const parts: CoreParts = {
    options,
    settings,
    loader,
    secrets,
    supervisor,
    recorder,
    journal,
    logs,
    busy,
    auditDir,
    runStartedAt,
    loaded: () => loaded,
    snapshot,
    keysSnapshot,
    reloadStack,
    applySettings,
  };
  // Help → Save diagnostics… and the Keys view's import: each in its own module (issue 13).
  const issue13Handlers = await importAndDiagnosticsHandlers(parts);

  /** The tray's last "Rotate…" until a window takes it. */
  let keyDialogRequest: KeyDialogRequest | null = null;

  const core: AppCore = {
    handlers: undefined as unknown as Handlers,
    snapshot,
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    ...stackActions({ supervisor, recorder, auditDir, snapshot }),
    async lockKeys(actor) {
      keyActor = actor;
      try {
        secrets.lock();
      } finally {
        keyActor = 'window';
      }
      await recorder.settled();
      return keysSnapshot();
    },
    setLooking: (who, visible) => attention.set(who, visible),
    requestKeyDialog(name) {
      const info = secrets.list().find((k) => k.name === name);
      if (!info) throw new UserError('not-found', `${name} is not a key Stigmer Local manages.`);
      keyDialogRequest = { name, mode: info.set ? 'rotate' : 'enter' };
      emit('ui:key-dialog-requested', {});
    },
    async shutdown() {
      usage.stop();
      await supervisor.dispose();
      await logs.close();
      secrets.dispose();
      await recorder.record({ type: 'app.quit', actor: 'system' });
      await journal.close();
      listeners.clear();
    },
  };

  const handlers = coreHandlers(parts, core, issue13Handlers, () => {
    const request = keyDialogRequest;
    keyDialogRequest = null;
    return request;
  });
  await recorder.record({
    type: 'app.started',
    actor: 'system',
    detail: `${options.host} host, version ${options.version}`,
  });
  return Object.assign(core, { handlers });
}
