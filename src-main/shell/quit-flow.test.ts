import { describe, expect, it, vi } from 'vitest';
import { createQuitFlow } from './quit-flow';

const quitEvent = () => ({ preventDefault: vi.fn() });

describe('createQuitFlow', () => {
  it('defers the quit until the stack is stopped, then exits 0 exactly once', async () => {
    let finish: () => void = () => undefined;
    const shutdown = vi.fn(() => new Promise<void>((resolve) => (finish = resolve)));
    const exit = vi.fn();
    const flow = createQuitFlow({ shutdown, exit });
    expect(flow.quitting).toBe(false);

    const first = quitEvent();
    flow.onBeforeQuit(first);
    expect(first.preventDefault).toHaveBeenCalled();
    expect(flow.quitting).toBe(true);
    expect(shutdown).toHaveBeenCalledTimes(1);

    // A second Cmd+Q while the stack is stopping waits for the same shutdown.
    const second = quitEvent();
    flow.onBeforeQuit(second);
    expect(second.preventDefault).toHaveBeenCalled();
    expect(shutdown).toHaveBeenCalledTimes(1);
    expect(exit).not.toHaveBeenCalled();

    finish();
    await flow.done;
    expect(exit).toHaveBeenCalledTimes(1);
    expect(exit).toHaveBeenCalledWith(0);
  });

  it('still exits (code 1) when stopping the stack fails, and says why', async () => {
    const exit = vi.fn();
    const log = vi.fn();
    const flow = createQuitFlow({
      shutdown: () => Promise.reject(new Error('agent-runner did not stop')),
      exit,
      log,
    });
    flow.onBeforeQuit(quitEvent());
    await flow.done;
    expect(exit).toHaveBeenCalledWith(1);
    expect(log.mock.calls[0]?.[0]).toContain('agent-runner did not stop');
  });

  it('gives up waiting after the timeout so Quit always quits', async () => {
    const exit = vi.fn();
    const log = vi.fn();
    const flow = createQuitFlow({
      shutdown: () => new Promise<void>(() => undefined),
      exit,
      timeoutMs: 20,
      log,
    });
    flow.onBeforeQuit(quitEvent());
    await flow.done;
    expect(exit).toHaveBeenCalledWith(1);
    expect(log.mock.calls[0]?.[0]).toMatch(/did not stop/);
  });
});
