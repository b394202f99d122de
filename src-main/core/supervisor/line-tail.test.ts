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

describe('LineTail under a flood', () => {
  it('keeps only the newest bytes while nobody listens, and gives whole lines from them', () => {
    const tail = new LineTail(20);
    let n = 0;
    for (let c = 0; c < 500; c++) {
      let chunk = '';
      for (let k = 0; k < 100; k++) chunk += `line ${++n}\n`;
      tail.push(c % 2 ? 'stdout' : 'stderr', Buffer.from(chunk));
    }
    const lines = tail.runSnapshot();
    expect(lines).toHaveLength(20);
    expect(lines.at(-1)).toBe('line 50000');
    expect(lines[0]).toBe('line 49981');
  });

  it('copies what it keeps: the caller may hand the chunk over (here: wipe it) at once', () => {
    const tail = new LineTail(5);
    const chunk = Buffer.from('first\nsecond\n');
    tail.push('stdout', chunk);
    chunk.fill(0);
    expect(tail.snapshot()).toEqual(['first', 'second']);
  });

  it('drops a line whose start fell out of the window instead of showing a piece of it', () => {
    const tail = new LineTail(5);
    tail.push('stdout', Buffer.from('before\n'));
    expect(tail.snapshot()).toEqual(['before']);
    tail.push('stdout', Buffer.from('x'.repeat(40_000) + ' end of long\nafter\n'));
    expect(tail.snapshot()).toEqual(['before', 'after']);
  });

  it('gives a listener every line while it listens, then goes back to holding bytes', () => {
    const tail = new LineTail(3, (l) => l.toUpperCase());
    tail.push('stdout', Buffer.from('held 1\nheld 2\n'));
    const seen: string[] = [];
    const off = tail.onLine((_s, l) => seen.push(l));
    let big = '';
    for (let i = 1; i <= 5000; i++) big += `live ${i}\n`;
    tail.push('stdout', Buffer.from(big));
    expect(seen).toHaveLength(5000);
    expect(seen[4999]).toBe('LIVE 5000');
    off();
    tail.push('stdout', Buffer.from('later\n'));
    expect(tail.runSnapshot()).toEqual(['LIVE 4999', 'LIVE 5000', 'LATER']);
  });
});
