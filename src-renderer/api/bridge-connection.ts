import type { IpcResult } from '../../src-shared/model/errors';

/**
 * Where the window stands with the app: `connecting` before the first answer, `connected`,
 * `lost` after it stopped answering (reconnecting by itself), `no-token` for a URL without the
 * run's token, `refused` when the host is up but does not take this link's token.
 */
export type ConnectionState = 'connecting' | 'connected' | 'lost' | 'no-token' | 'refused';

/** What the window shows about the connection. */
export interface ConnectionStatus {
  state: ConnectionState;
  /** Epoch ms of the next reconnect attempt while `lost` (or `refused`), else null. */
  nextAttemptAt: number | null;
  /** Increments at every reconnect after a loss: the stores read everything again on it. */
  resumed: number;
}

/** The part of a WebSocket the connection uses (a browser WebSocket, or a fake in tests). */
export interface SocketLike {
  send(data: string): void;
  close(): void;
  addEventListener(type: 'open' | 'close', fn: () => void): void;
  addEventListener(type: 'message', fn: (ev: { data: unknown }) => void): void;
}

/** Tunables and the outside world, injected so tests drive it with fakes and fake timers. */
export interface BridgeOptions {
  token: string;
  openSocket(token: string): SocketLike;
  /** True when the host answers plain HTTP (it is up, so a refused socket means the token). */
  probeHost(): Promise<boolean>;
  /** A cheap request that proves the app answers (app:info). */
  heartbeatChannel: string;
  heartbeatEveryMs?: number;
  /** No answer within this long (to a heartbeat, or to opening a socket) counts as gone. */
  answerWithinMs?: number;
  now?: () => number;
}

const LOST = 'Stigmer Local is not responding, so this could not be done. It reconnects by itself.';
const NO_TOKEN =
  'This page needs the link Stigmer Local printed when it started (it holds a one-time token).';
const BACKOFF_MS = [500, 1000, 2000, 4000, 5000];

type Settle = (result: IpcResult<unknown>) => void;

/**
 * The browser host's IPC socket with a heartbeat: notices within seconds that the app stopped
 * answering (killed, paused, asleep), fails requests at once instead of leaving them pending,
 * and reconnects with backoff; listeners hear each state change.
 */
export class BridgeConnection {
  private status: ConnectionStatus;
  private socket: SocketLike | null = null;
  private attempt: SocketLike | null = null;
  private everOpened = false;
  private failures = 0;
  private nextId = 1;
  private readonly pending = new Map<number, Settle>();
  private readonly waiters: (() => void)[] = [];
  private readonly statusListeners = new Set<(s: ConnectionStatus) => void>();
  private readonly eventListeners = new Map<string, Set<(payload: unknown) => void>>();
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly everyMs: number;
  private readonly withinMs: number;
  private readonly now: () => number;

  constructor(private readonly options: BridgeOptions) {
    this.everyMs = options.heartbeatEveryMs ?? 2000;
    this.withinMs = options.answerWithinMs ?? 3000;
    this.now = options.now ?? Date.now;
    this.status = {
      state: options.token ? 'connecting' : 'no-token',
      nextAttemptAt: null,
      resumed: 0,
    };
    if (options.token) this.open();
  }

  /** The state now. */
  get current(): ConnectionStatus {
    return this.status;
  }

  /** Hears every state change; returns the unsubscribe function. */
  onStatus(fn: (s: ConnectionStatus) => void): () => void {
    this.statusListeners.add(fn);
    return () => this.statusListeners.delete(fn);
  }

  /** An app event channel's payloads, across reconnects. */
  subscribe(channel: string, fn: (payload: unknown) => void): () => void {
    let set = this.eventListeners.get(channel);
    if (!set) this.eventListeners.set(channel, (set = new Set()));
    set.add(fn);
    return () => set.delete(fn);
  }

  /**
   * One request. Before the first connection it waits for it; once lost it fails at once with
   * advice (the banner says the rest), so no button stays busy on a request that cannot finish.
   */
  async invoke(channel: string, args: unknown): Promise<IpcResult<unknown>> {
    if (this.status.state === 'connecting' && !this.everOpened) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    const ws = this.socket;
    if (!ws) return this.failure();
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      ws.send(JSON.stringify({ id, channel, args }));
    });
  }

  private failure(): IpcResult<unknown> {
    const message = this.status.state === 'no-token' ? NO_TOKEN : LOST;
    return { ok: false, error: { code: 'failed', message } };
  }

  private set(next: Partial<ConnectionStatus>): void {
    this.status = { ...this.status, ...next };
    for (const fn of this.statusListeners) fn(this.status);
  }

  private open(): void {
    const ws = this.options.openSocket(this.options.token);
    this.attempt = ws;
    // A paused host still accepts the TCP connection but never answers the handshake.
    this.timer = setTimeout(() => this.gone(ws, 'timeout'), this.withinMs);
    ws.addEventListener('open', () => this.opened(ws));
    ws.addEventListener('close', () => this.gone(ws, 'closed'));
    ws.addEventListener('message', (ev) => this.message(ws, ev.data));
  }

  private opened(ws: SocketLike): void {
    if (ws !== this.attempt) {
      ws.close(); // An attempt given up on that the host answered late.
      return;
    }
    this.clearTimer();
    this.attempt = null;
    this.socket = ws;
    this.failures = 0;
    const resumed = this.everOpened ? this.status.resumed + 1 : this.status.resumed;
    this.everOpened = true;
    this.set({ state: 'connected', nextAttemptAt: null, resumed });
    for (const resolve of this.waiters.splice(0)) resolve();
    this.heartbeat = setInterval(() => this.beat(ws), this.everyMs);
  }

  private beat(ws: SocketLike): void {
    if (ws !== this.socket) return;
    const id = this.nextId++;
    const deadline = setTimeout(() => this.gone(ws, 'timeout'), this.withinMs);
    this.pending.set(id, () => clearTimeout(deadline));
    ws.send(JSON.stringify({ id, channel: this.options.heartbeatChannel, args: undefined }));
  }

  private message(ws: SocketLike, data: unknown): void {
    if (ws !== this.socket) return;
    const msg = JSON.parse(String(data)) as
      { id: number; result: IpcResult<unknown> } | { event: string; payload: unknown };
    if ('id' in msg) {
      this.pending.get(msg.id)?.(msg.result);
      this.pending.delete(msg.id);
    } else {
      for (const fn of this.eventListeners.get(msg.event) ?? []) fn(msg.payload);
    }
  }

  /** The socket (or an attempt) closed or stopped answering: fail what waits, retry later. */
  private gone(ws: SocketLike, why: 'closed' | 'timeout'): void {
    if (ws !== this.socket && ws !== this.attempt) return;
    this.clearTimer();
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    this.socket = null;
    this.attempt = null;
    try {
      ws.close();
    } catch {
      // Already closed.
    }
    for (const [id, settle] of this.pending) {
      this.pending.delete(id);
      settle(this.failure());
    }
    const delay = BACKOFF_MS[Math.min(this.failures++, BACKOFF_MS.length - 1)]!;
    const nextAttemptAt = this.now() + delay;
    this.timer = setTimeout(() => this.open(), delay);
    if (this.everOpened) {
      this.set({ state: 'lost', nextAttemptAt });
      return;
    }
    // Never connected: a host that answers HTTP but closed the socket refused the token.
    if (why === 'closed') {
      void this.options.probeHost().then((up) => {
        if (!up || this.everOpened) return;
        this.set({ state: 'refused', nextAttemptAt: null });
        for (const resolve of this.waiters.splice(0)) resolve();
      });
    }
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
