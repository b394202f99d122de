import { describe, expect, it } from 'vitest';
import { parseHostPort, resolveWaitFor } from './host-port';
import { parseStackFile } from './stack-file';

// The stack file's `wait_for` and the addresses it and TEMPORAL_SERVICE_ADDRESS are read as.

describe('wait_for in the stack file', () => {
  it('reads { tcp: "host:port", label }', () => {
    const config = parseStackFile(
      'services:\n  worker:\n    wait_for: { tcp: "127.0.0.1:7233", label: Temporal }\n',
      'stack.yaml',
    );
    expect(config.services?.worker?.wait_for).toEqual({
      tcp: { host: '127.0.0.1', port: 7233 },
      label: 'Temporal',
    });
  });

  it('null removes a default wait_for', () => {
    const config = parseStackFile('services:\n  agent-runner:\n    wait_for: null\n', 'stack.yaml');
    expect(config.services?.['agent-runner']?.wait_for).toBeNull();
  });

  it('rejects an address without a port, saying what it expects', () => {
    expect(() =>
      parseStackFile('services:\n  worker:\n    wait_for: { tcp: "localhost" }\n', 'stack.yaml'),
    ).toThrow(/host:port/);
  });
});

describe('host:port', () => {
  it('parses names, IPv4 and bracketed IPv6; refuses the rest', () => {
    expect(parseHostPort('localhost:7233')).toEqual({ host: 'localhost', port: 7233 });
    expect(parseHostPort('[::1]:7233')).toEqual({ host: '::1', port: 7233 });
    expect(parseHostPort('localhost')).toBeNull();
    expect(parseHostPort('localhost:0')).toBeNull();
    expect(parseHostPort('localhost:70000')).toBeNull();
  });

  it("a wait read from the service's env follows the address it is given", () => {
    const w = { env: 'TEMPORAL_SERVICE_ADDRESS', label: 'Temporal' };
    expect(resolveWaitFor(w, { TEMPORAL_SERVICE_ADDRESS: 'temporal.lan:7300' })).toEqual({
      host: 'temporal.lan',
      port: 7300,
      label: 'Temporal',
    });
    // No usable address: nothing to wait for (the service starts and says what is wrong itself).
    expect(resolveWaitFor(w, {})).toBeNull();
  });
});
