import { UserError } from '../../src-shared/model/errors';
import type { StackSnapshot } from '../../src-shared/model/service';
import type { Actor, AppCore } from './app-core-types';
import type { AuditRecorder } from './audit-recorder';
import { heldAdvice, type Supervisor } from './supervisor';

/** What the stack actions need from the composition root. */
export interface StackActionParts {
  supervisor: Supervisor;
  recorder: AuditRecorder;
  auditDir: string;
  snapshot: () => StackSnapshot;
}

/** Throws a not-found UserError naming the known services unless `name` is one of them. */
export function knownService(supervisor: Supervisor, name: string): void {
  if (!supervisor.statuses().some((s) => s.name === name)) {
    const names = supervisor
      .statuses()
      .map((s) => s.name)
      .join(', ');
    throw new UserError(
      'not-found',
      `There is no service named "${name}". Known services: ${names}.`,
    );
  }
}

/** The core's stack and service actions (and the audit retry), each journalled under its actor. */
export function stackActions(
  parts: StackActionParts,
): Pick<
  AppCore,
  'startStack' | 'stopStack' | 'startService' | 'stopService' | 'restartService' | 'retryAudit'
> {
  const { supervisor, recorder, auditDir, snapshot } = parts;
  const known = (name: string): void => knownService(supervisor, name);
  const act = async (work: () => Promise<void>): Promise<StackSnapshot> => {
    try {
      await work();
    } catch (error) {
      if (error instanceof UserError) throw error;
      // Supervisor errors are written as advice (which service, why, what to do).
      throw new UserError('failed', error instanceof Error ? error.message : String(error));
    }
    return snapshot();
  };
  return {
    startStack: (actor: Actor) =>
      act(async () => {
        await recorder.record({ type: 'stack.start-requested', actor });
        await supervisor.startAll();
      }),
    stopStack: (actor: Actor) =>
      act(async () => {
        await recorder.record({ type: 'stack.stop-requested', actor });
        await supervisor.stopAll();
      }),
    startService: (name, actor) =>
      act(async () => {
        known(name);
        await recorder.record({ type: 'service.start-requested', actor, service: name });
        await supervisor.start(name);
      }),
    stopService: (name, actor) =>
      act(async () => {
        known(name);
        await recorder.record({ type: 'service.stop-requested', actor, service: name });
        await supervisor.stop(name);
      }),
    restartService: (name, actor) =>
      act(async () => {
        known(name);
        await recorder.record({ type: 'service.restart-requested', actor, service: name });
        await supervisor.restart(name);
      }),
    retryAudit: (actor: Actor) =>
      act(async () => {
        const probe = await recorder.probe(actor);
        if (!probe.ok) throw new UserError('failed', heldAdvice(probe.reason, auditDir));
        await supervisor.startWaiting(['held']);
      }),
  };
}
