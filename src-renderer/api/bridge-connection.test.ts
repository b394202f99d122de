import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BridgeConnection, type SocketLike } from './bridge-connection';

/** A socket the test opens, answers and closes by hand. */
class FakeSocket implements SocketLike {
  sent: { id: number; channel: string }[] = [];
  closed = false;
  private handlers: Record<string, ((ev: { data: unknown }) => void)[]> = {};
  addEventListener(type: string, fn: (ev: { data: unknown }) => void): void {
    (this.handlers[type] ??= []).push(fn);
  }
  send(data: string): void {
    this.sent.push(JSON.parse(data) as { id: number; channel: string });
  }
  close(): void {
    this.closed = true;
  }
  emit(type: 'open' | 'close' | 'message', data?: unknown): void {
    for (const fn of this.handlers[type] ?? []) fn({ data });
  }
  answerAll(): void {
    for (const { id } of this.sent.splice(0))
      this.emit('message', JSON.stringify({ id, result: { ok: true, value: {} } }));
  }
}

let sockets: FakeSocket[];
let hostUp: boolean;
const make = (token = 't') =>
  new BridgeConnection({
    token,
    openSocket: () => {
      const s = new FakeSocket();
      sockets.push(s);
      return s;
    },
    probeHost: async () => hostUp,
    heartbeatChannel: 'app:info',
  });

beforeEach(() => {
  vi.useFakeTimers();
  sockets = [];
  hostUp = true;
});
afterEach(() => vi.useRealTimers());

describe('BridgeConnection', () => {
  it('without a token never connects and explains where the link comes from', async () => {
    const c = make('');
    expect(c.current.state).toBe('no-token');
    expect(sockets).toHaveLength(0);
    const result = await c.invoke('stack:snapshot', undefined);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.message).toMatch(/link Stigmer Local printed/);
  });

  it('a request made before the first connection waits for it', async () => {
    const c = make();
    const reply = c.invoke('stack:snapshot', undefined);
    sockets[0]!.emit('open');
    await Promise.resolve();
    expect(sockets[0]!.sent.map((f) => f.channel)).toEqual(['stack:snapshot']);
    sockets[0]!.answerAll();
    expect((await reply).ok).toBe(true);
  });

  it('a closed socket fails pending requests, goes lost, and reconnects with resumed+1', async () => {
    const c = make();
    const states: string[] = [];
    c.onStatus((s) => states.push(s.state));
    sockets[0]!.emit('open');
    const reply = c.invoke('stack:stop', undefined);
    sockets[0]!.emit('close');
    const result = await reply;
    expect(!result.ok && result.error.message).toMatch(/not responding/);
    expect(c.current.state).toBe('lost');
    // Fails at once while lost: no button waits on a request that cannot finish.
    expect((await c.invoke('stack:start', undefined)).ok).toBe(false);
    vi.advanceTimersByTime(500);
    expect(sockets).toHaveLength(2);
    sockets[1]!.emit('open');
    expect(c.current).toMatchObject({ state: 'connected', resumed: 1 });
    expect(states).toEqual(['connected', 'lost', 'connected']);
  });

  it('a host that stops answering heartbeats (paused) is noticed, and a late attempt is dropped', () => {
    const c = make();
    sockets[0]!.emit('open');
    vi.advanceTimersByTime(2000);
    sockets[0]!.answerAll();
    expect(c.current.state).toBe('connected');
    vi.advanceTimersByTime(2000); // heartbeat sent, never answered
    vi.advanceTimersByTime(3000);
    expect(c.current.state).toBe('lost');
    expect(sockets[0]!.closed).toBe(true);
    // The first reconnect attempt hangs (the handshake is never answered) and is given up.
    vi.advanceTimersByTime(500);
    vi.advanceTimersByTime(3000);
    expect(sockets[1]!.closed).toBe(true);
    vi.advanceTimersByTime(1000);
    sockets[1]!.emit('open'); // answered late, after it was given up
    expect(c.current.state).toBe('lost');
    sockets[2]!.emit('open');
    expect(c.current.state).toBe('connected');
  });

  it('a socket refused while the page host answers means the token is not accepted', async () => {
    const c = make('old-token');
    sockets[0]!.emit('close');
    await vi.waitFor(() => expect(c.current.state).toBe('refused'));
  });

  it('a host that is down before the first connection stays "connecting"', async () => {
    hostUp = false;
    const c = make();
    sockets[0]!.emit('close');
    await Promise.resolve();
    await Promise.resolve();
    expect(c.current.state).toBe('connecting');
  });
});
