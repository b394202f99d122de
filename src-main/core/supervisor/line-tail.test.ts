import { describe, expect, it } from 'vitest';
import { LineTail } from './line-tail';

describe('LineTail', () => {
  it('joins partial lines, strips CR and keeps the newest lines', () => {
    const tail = new LineTail(3);
    const seen: string[] = [];
    tail.onLine((stream, line) => seen.push(`${stream}:${line}`));
    tail.push('stdout', Buffer.from('one\r\ntw'));
    tail.push('stderr', Buffer.from('err\n'));
    tail.push('stdout', Buffer.from('o\nthree\nfour'));
    expect(seen).toEqual(['stdout:one', 'stderr:err', 'stdout:two', 'stdout:three']);
    tail.flush();
    expect(tail.snapshot()).toEqual(['two', 'three', 'four']);
  });

  it('rebuilds a multi-byte character split across chunks', () => {
    const tail = new LineTail();
    const bytes = Buffer.from('café\n');
    tail.push('stdout', bytes.subarray(0, 4));
    tail.push('stdout', bytes.subarray(4));
    expect(tail.snapshot()).toEqual(['café']);
  });

  it('picks the message above a stack trace, and only from the current run', () => {
    const tail = new LineTail();
    tail.push('stderr', 'Error: Connection refused\n    at connect (net.js:1:1)\n\n');
    expect(tail.lastMeaningfulLine()).toBe('Error: Connection refused');
    tail.markRun();
    expect(tail.lastMeaningfulLine()).toBeNull();
    expect(tail.snapshot()).toContain('Error: Connection refused');
  });
});

describe('LineTail redaction', () => {
  it('redacts every kept line, including one put together from two chunks', () => {
    const tail = new LineTail(5, (line) => line.replaceAll('sk-ant-secret-123', '[redacted:K]'));
    const seen: string[] = [];
    tail.onLine((_s, line) => seen.push(line));
    tail.push('stdout', Buffer.from('using sk-ant-sec'));
    tail.push('stdout', Buffer.from('ret-123 now\nFatal: bad key sk-ant-secret-123\n'));
    expect(tail.snapshot()).toEqual(['using [redacted:K] now', 'Fatal: bad key [redacted:K]']);
    expect(seen.join('\n')).not.toContain('sk-ant-secret');
    expect(tail.lastMeaningfulLine()).toBe('Fatal: bad key [redacted:K]');
  });
});
