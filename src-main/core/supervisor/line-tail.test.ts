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
