import { z } from 'zod';
import {
  invokeChannels,
  isInvokeChannel,
  type InvokeArgs,
  type InvokeChannel,
  type InvokeResult,
} from '../../src-shared/ipc/contract';
import { UserError, type IpcResult } from '../../src-shared/model/errors';

/** Who sent a request: the frame URL (Electron) or the authenticated browser-host page. */
export interface SenderInfo {
  url: string;
}

/** One handler per invoke channel, receiving already-validated arguments. */
export type Handlers = {
  [C in InvokeChannel]: (
    args: z.output<(typeof invokeChannels)[C]['args']>,
  ) => Promise<InvokeResult<C>>;
};

/** Options shared by both hosts. */
export interface RouterOptions {
  isTrustedSender: (sender: SenderInfo) => boolean;
  /** Called with unexpected (non-user) errors; never with arguments, which may hold secrets. */
  onInternalError?: (channel: string, error: unknown) => void;
}

/** The single entry point both the Electron shell and the browser host call. */
export interface Router {
  handle(channel: unknown, args: unknown, sender: SenderInfo): Promise<IpcResult<unknown>>;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : 'arguments'}: ${issue.message}`)
    .join('; ');
}

/**
 * Build the router: trusted sender -> known channel -> parse args -> core -> result.
 * Rejections happen before the core is called, so a bad request changes nothing.
 */
export function createRouter(handlers: Handlers, options: RouterOptions): Router {
  return {
    async handle(channel, args, sender) {
      if (!options.isTrustedSender(sender)) {
        return {
          ok: false,
          error: {
            code: 'untrusted-sender',
            message: 'This request did not come from the Stigmer Local window and was refused.',
          },
        };
      }
      if (!isInvokeChannel(channel)) {
        return {
          ok: false,
          error: {
            code: 'unknown-channel',
            message: `Unknown channel "${String(channel)}". The window and the app are out of step; reload the window.`,
          },
        };
      }
      const parsed = invokeChannels[channel].args.safeParse(args);
      if (!parsed.success) {
        return {
          ok: false,
          error: {
            code: 'bad-arguments',
            message: `Invalid arguments for ${channel}: ${describeIssues(parsed.error)}.`,
          },
        };
      }
      try {
        const handler = handlers[channel] as (a: unknown) => Promise<unknown>;
        return { ok: true, value: await handler(parsed.data) };
      } catch (error) {
        if (error instanceof UserError) {
          return { ok: false, error: { code: error.code, message: error.message } };
        }
        options.onInternalError?.(channel, error);
        return {
          ok: false,
          error: {
            code: 'internal',
            message: `${channel} failed unexpectedly: ${error instanceof Error ? error.message : String(error)}. See the app log for details.`,
          },
        };
      }
    },
  };
}

/** Typed call helper for tests and in-process callers. */
export async function call<C extends InvokeChannel>(
  router: Router,
  channel: C,
  args: InvokeArgs<C>,
  sender: SenderInfo,
): Promise<IpcResult<InvokeResult<C>>> {
  return (await router.handle(channel, args, sender)) as IpcResult<InvokeResult<C>>;
}
