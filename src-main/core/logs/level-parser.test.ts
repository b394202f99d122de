import { describe, expect, it } from 'vitest';
import { stripAnsi } from './ansi';
import { parseLevel } from './level-parser';

describe('parseLevel on real Stigmer samples', () => {
  it.each([
    ['2026-11-23T23:19:23.293Z [INFO] Worker state changed {"state":"RUNNING"}', 'info'],
    ['2026-11-23T23:19:23.293Z [WARN] Worker heartbeat late', 'warn'],
    ['[runner] Starting...', null],
    ['[runner] Worker ready, polling for tasks...', null],
    ['{"stigmer_timing":"runner_boot","ms":812}', null],
    // The runner exits 1 right after this line: fatal, see FATAL_PHRASE.
    [
      'Fatal error in runner: TransportError: tonic::transport::Error(Transport, 127.0.0.1:7233 Connection refused)',
      'fatal',
    ],
    ['Received SIGTERM, stopping worker gracefully...', null],
    ['{"level":"warn","msg":"x"}', 'warn'],
    ['{"level":50,"time":1764000000000,"msg":"boom"}', 'error'],
    ['{"level":10}', 'trace'],
    ['{"level":60}', 'fatal'],
    [
      '{"level":"info","ts":"2026-11-23T23:19:23.293Z","msg":"Started","service":"frontend"}',
      'info',
    ],
    ['{"level":"WARNING","msg":"x"}', 'warn'],
    ['{"level":"err"}', 'error'],
    ['{"level":"critical"}', 'fatal'],
    ['{"level":"panic"}', 'fatal'],
    ['{"type":"ready","protocolVersion":1}', null],
    ['\x1b[31mERROR\x1b[0m: boom', 'error'],
    ['ERROR: disk full', 'error'],
    ['WARN: slow', 'warn'],
    ['Warning: something deprecated', 'warn'],
    ['Error: connect ECONNREFUSED 127.0.0.1:7234', 'error'],
    ['time=2026-11-23T23:19:23.293Z level=INFO msg="frontend started"', 'info'],
    ['time=2026-11-23T23:19:23.293Z level=warn msg=x', 'warn'],
    ['2026-11-23 23:19:23,293 ERROR [main] failed', 'error'],
    ['panic: runtime error: index out of range', 'fatal'],
    // Shapes around the `{"level":` fast path that must give what the general regex gives.
    ['{"level":"bogus","lvl":"error"}', null],
    ['{"level":"warn-ish"}', null],
    ['{"level":30.5}', 'info'],
    ['{"level": "debug"}', 'debug'],
    ['{"level":"","severity":"ERROR"}', 'error'],
    ['{"level":{"name":"x"},"lvl":"warn"}', 'warn'],
    // logfmt needs "level=" or "lvl=", not any "l=".
    ['url=http://x pool=4 ERROR: then', null],
    ['lvl=error', 'error'],
    ['x lvl=error', 'error'],
    ['Information about the task', null],
    ['', null],
    ['errors are fine here', null],
  ] as const)('%s -> %s', (line, level) => {
    expect(parseLevel(line)).toBe(level);
  });
});

describe('stripAnsi', () => {
  it('removes colour and OSC sequences and keeps the text', () => {
    expect(stripAnsi('\x1b[1;32mok\x1b[0m done')).toBe('ok done');
    expect(stripAnsi('\x1b]8;;https://x.y\x07link\x1b]8;;\x07')).toBe('link');
    const plain = 'no escapes';
    expect(stripAnsi(plain)).toBe(plain);
  });
});
