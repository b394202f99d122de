import type { IncomingMessage } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { RawData } from 'ws';

/** A frame that has the shape of a request; `channel` and `args` are still unchecked (the router checks them). */
export interface RequestFrame {
  ok: true;
  id: number;
  channel: unknown;
  args: unknown;
}

/** A frame that is not a request: the socket is closed with `code` and `reason`. */
export interface RefusedFrame {
  ok: false;
  code: number;
  /** Sent as the close reason and logged; never holds any of the frame's content. */
  reason: string;
}

const RELOAD = 'reload the window';

/** The text of a frame as ws delivered it (one Buffer, an ArrayBuffer, or fragments). */
function frameText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

/**
 * Check a frame's shape before anything reads it: text, JSON, a plain object, a safe-integer id.
 * ws has already checked the frame itself (UTF-8, masking, opcodes, size) and closed the socket
 * on a violation, so this sees only well-formed messages from an authenticated page.
 */
export function parseRequestFrame(data: RawData, isBinary: boolean): RequestFrame | RefusedFrame {
  if (isBinary)
    return { ok: false, code: 1003, reason: `binary frame; requests are JSON text; ${RELOAD}` };
  let msg: unknown;
  try {
    msg = JSON.parse(frameText(data));
  } catch {
    return {
      ok: false,
      code: 1007,
      reason: `not JSON; requests are {id, channel, args}; ${RELOAD}`,
    };
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) {
    return {
      ok: false,
      code: 1007,
      reason: `JSON ${msg === null ? 'null' : Array.isArray(msg) ? 'array' : typeof msg}, not a request object; ${RELOAD}`,
    };
  }
  const { id, channel, args } = msg as Record<string, unknown>;
  if (typeof id !== 'number' || !Number.isSafeInteger(id)) {
    return { ok: false, code: 1007, reason: `request without a whole-number id; ${RELOAD}` };
  }
  return { ok: true, id, channel, args };
}

/** Hosts and Origins the page is served from; anything else is a rebinding page or another site. */
export interface UpgradePolicy {
  hosts: string[];
  origins: string[];
  token: string;
}

function sameToken(given: string | null, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Why an IPC upgrade is refused, or null to accept it. The answer names what was wrong (for the
 * host's refusal log) and never what was sent: a wrong token is "wrong token", not the token.
 */
export function upgradeRefusal(req: IncomingMessage, policy: UpgradePolicy): string | null {
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://x');
  } catch {
    return 'unparseable request path';
  }
  if (url.pathname !== '/ipc') return 'upgrade on a path other than /ipc';
  if (!policy.hosts.includes(req.headers.host ?? '')) return 'foreign Host header';
  if (!policy.origins.includes(req.headers.origin ?? '')) return 'foreign or missing Origin';
  if (!sameToken(url.searchParams.get('token'), policy.token)) return 'missing or wrong token';
  return null;
}
