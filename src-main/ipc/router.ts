import { z } from 'zod';
import {
  invokeChannels,
  isInvokeChannel,
  type InvokeArgs,
  type InvokeChannel,
  type InvokeResult,
} from '../../src-shared/ipc/contract';
import type { Handlers } from '../../src-shared/ipc/handlers';
import { UserError, type IpcResult } from '../../src-shared/model/errors';

/** Who sent a request: the frame URL (Electron) or the authenticated browser-host page. */
export interface SenderInfo {
  url: string;
}

/** Re-exported from the shared contract, where the type lives (the core imports it from there). */
export type { Handlers };

/** Options shared by both hosts. */
export interface RouterOptions {
  isTrustedSender: (sender: SenderInfo) => boolean;
  /** Called with unexpected (non-user) errors; never with arguments, which may hold secrets. */
  onInternalError?: (channel: string, error: unknown) => void;
}

/** The single entry point both the Electron shell and the browser host call. */
export interface Router {
  /** Never throws and never rejects: every input, however malformed, gets an IpcResult. */
  handle(channel: unknown, args: unknown, sender: SenderInfo): Promise<IpcResult<unknown>>;
}

/** Longest channel name a host may print or look up; every contract name is far shorter. */
export const MAX_CHANNEL_LENGTH = 64;
const CHANNEL_SHAPE = /^[a-z]+:[a-z-]+$/;

/** True when `channel` has the shape of a channel name (`domain:verb`), so it is safe to print. */
export function isChannelShaped(channel: unknown): channel is string {
  return (
    typeof channel === 'string' &&
    channel.length <= MAX_CHANNEL_LENGTH &&
    CHANNEL_SHAPE.test(channel)
  );
}

/**
 * How a channel is named in a message: quoted only when it is a short `domain:verb` string.
 * Anything else is described by its type, never converted, because `String()` of hostile input
 * can throw (a 5,000-deep array overflows the stack) or be megabytes long.
 */
export function describeChannel(channel: unknown): string {
  if (isChannelShaped(channel)) return `"${channel}"`;
  if (typeof channel === 'string')
    return `a ${channel.length}-character string that is not a channel name`;
  if (channel === null) return 'null';
  if (Array.isArray(channel)) return 'an array';
  return `a value of type ${typeof channel}`;
}

const MAX_ISSUES = 5;
const MAX_TEXT = 160;

/** Cut untrusted text (zod echoes unknown keys) to a short single line. */
function clip(text: string, max = MAX_TEXT): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max)}… (${flat.length - max} more characters)` : flat;
}

function describeIssues(error: z.ZodError): string {
  const shown = error.issues.slice(0, MAX_ISSUES).map((issue) => {
    const path = issue.path.length ? clip(issue.path.slice(0, 8).join('.'), 60) : 'arguments';
    return `${path}: ${clip(issue.message)}`;
  });
  const more = error.issues.length - shown.length;
  return more > 0 ? `${shown.join('; ')}; and ${more} more problems` : shown.join('; ');
}

function errorText(error: unknown): string {
  try {
    return clip(error instanceof Error ? error.message : String(error), 300);
  } catch {
    return 'an error that cannot be described';
  }
}

function internal(channel: string, error: unknown): IpcResult<never> {
  return {
    ok: false,
    error: {
      code: 'internal',
      message: `${channel} failed unexpectedly: ${errorText(error)}. See the app log for details.`,
    },
  };
}

/**
 * Build the router: trusted sender -> known channel -> parse args -> core -> result.
 * Rejections happen before the core is called, so a bad request changes nothing.
 */
export function createRouter(handlers: Handlers, options: RouterOptions): Router {
  const reportInternal = (channel: string, error: unknown): void => {
    try {
      options.onInternalError?.(channel, error);
    } catch {
      // A failing reporter must not turn one failed request into a crashed host.
    }
  };

  async function route(
    channel: unknown,
    args: unknown,
    sender: SenderInfo,
  ): Promise<IpcResult<unknown>> {
    if (!options.isTrustedSender(sender)) {
      return {
        ok: false,
        error: {
          code: 'untrusted-sender',
          message: 'This request did not come from the Stigmer Local window and was refused.',
        },
      };
    }
    if (!isChannelShaped(channel) || !isInvokeChannel(channel)) {
      return {
        ok: false,
        error: {
          code: 'unknown-channel',
          message: `Unknown channel ${describeChannel(channel)}. The window and the app are out of step; reload the window.`,
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
      reportInternal(channel, error);
      return internal(channel, error);
    }
  }

  return {
    async handle(channel, args, sender) {
      try {
        return await route(channel, args, sender);
      } catch (error) {
        // Only reachable through a bug (a throwing sender check, a schema that throws on hostile
        // input): still an answer, never a rejected promise in a host's event handler.
        const name = isChannelShaped(channel) ? channel : 'A request';
        reportInternal(name, error);
        return internal(name, error);
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
