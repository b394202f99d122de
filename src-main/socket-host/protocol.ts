import type { IpcResult } from '../../src-shared/model/errors';

/** Version of the newline-delimited JSON protocol; the CLI refuses a host that speaks another. */
export const CLI_PROTOCOL_VERSION = 1;

/** The sender every socket request is routed as; only the socket host's router trusts it. */
export const CLI_SENDER_URL = 'stigmer-local-cli:';

/** First frame the host sends on every connection. */
export interface HelloFrame {
  hello: 'stigmer-local';
  protocol: number;
  host: 'electron' | 'browser';
  pid: number;
  version: string;
}

/** A client frame: a router request, or a subscription to event channels (also answered by id). */
export type ClientFrame =
  | { kind: 'request'; id: number; channel: unknown; args: unknown }
  | { kind: 'subscribe'; id: number; events: string[] };

/** A frame the host refuses; the reason is sent back and the socket is closed. */
export interface FrameRefusal {
  kind: 'refused';
  reason: string;
}

/** A reply frame: the router's result for request `id`. */
export interface ReplyFrame {
  id: number;
  result: IpcResult<unknown>;
}

/** An event frame, sent only to clients that subscribed to `event`. */
export interface EventFrame {
  event: string;
  payload: unknown;
}

const MAX_SUBSCRIPTIONS = 16;

/**
 * Check one line's shape before anything reads it: JSON, a plain object, a safe-integer id, and
 * either `channel` (a request; the router checks channel and args) or `subscribe` (names).
 * The refusal never quotes the line, which may hold a key.
 */
export function parseClientFrame(line: string): ClientFrame | FrameRefusal {
  let msg: unknown;
  try {
    msg = JSON.parse(line);
  } catch {
    return {
      kind: 'refused',
      reason: 'not JSON; each line must be one {id, channel, args} object',
    };
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) {
    return { kind: 'refused', reason: 'a JSON value that is not a request object' };
  }
  const frame = msg as Record<string, unknown>;
  if (typeof frame.id !== 'number' || !Number.isSafeInteger(frame.id)) {
    return { kind: 'refused', reason: 'a request without a whole-number id' };
  }
  if ('subscribe' in frame) {
    const events = frame.subscribe;
    const ok =
      Array.isArray(events) &&
      events.length <= MAX_SUBSCRIPTIONS &&
      events.every((e) => typeof e === 'string' && e.length <= 64);
    if (!ok) return { kind: 'refused', reason: 'subscribe must be a short list of event names' };
    return { kind: 'subscribe', id: frame.id, events: events as string[] };
  }
  return { kind: 'request', id: frame.id, channel: frame.channel, args: frame.args };
}
