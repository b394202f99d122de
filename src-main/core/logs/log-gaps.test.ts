import { execFileSync } from 'node:child_process';
import {
  mkdir,
  mkdtemp,
  readFile,
  readdir,
  rm,
  symlink,
  unlink,
  writeFile,
} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseRecord, type FileRecord } from './file-format';
import { LogPipeline } from './log-pipeline';
import { RotatingFileSink } from './rotating-file';
import type { LogGap } from './write-gap';

/*
 * Real write failures, no mocks. Tests may run as root, where chmod does not stop a write, so
 * the failures are ones root meets too: /dev/full (the kernel answers every write with ENOSPC),
 * a folder where rotation must delete a file (rm fails with EISDIR), and, where a tmpfs can be
 * mounted (root), a really full disk whose writes are cut short half-way through a record.
 */

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'stigmer-gaps-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const T0 = Date.parse('2026-11-28T12:00:00.000Z');
const MARKER = /^\[stigmer-local\] (\d+) lines? \((\d+) bytes\) not written: (\S+)$/;

/** Every record of `service`'s files, oldest file first. */
async function allRecords(logDir: string, service: string): Promise<FileRecord[]> {
  const names = (await readdir(logDir)).filter((n) => n.startsWith(`${service}.log`));
  const index = (n: string) => Number(n.slice(`${service}.log`.length + 1) || 0);
  const out: FileRecord[] = [];
  for (const name of names.sort((a, b) => index(b) - index(a))) {
    const body = await readFile(path.join(logDir, name), 'utf8').catch(() => null);
    if (body === null) continue; // the folder that blocks rotation
    expect(body === '' || body.endsWith('\n'), `${name} ends in a torn record`).toBe(true);
    for (const text of body.split('\n').slice(0, -1)) {
      const record = parseRecord(text);
      expect(record, `not a record: ${JSON.stringify(text.slice(0, 80))}`).not.toBeNull();
      out.push(record!);
    }
  }
  return out;
}

/**
 * Walks numbered lines "line 000001 …" in file order: each marker must announce exactly the lines
 * (and their bytes) missing before the next line in the file. Returns the markers' gaps.
 */
function checkMarkers(records: FileRecord[], recordBytes: (n: number) => number): LogGap[] {
  const gaps: LogGap[] = [];
  let next = 1;
  let pending: LogGap | null = null;
  for (const r of records) {
    const marker = MARKER.exec(r.text);
    if (marker) {
      expect(r).toMatchObject({ stream: 'system', level: 'warn' });
      pending = { lines: Number(marker[1]), bytes: Number(marker[2]), reason: marker[3]! };
      gaps.push(pending);
      continue;
    }
    const n = Number(/^line (\d+)/.exec(r.text)?.[1]);
    if (Number.isNaN(n)) continue;
    if (n !== next) {
      expect(pending, `lines ${next}..${n - 1} missing without a marker`).not.toBeNull();
      let bytes = 0;
      for (let k = next; k < n; k++) bytes += recordBytes(k);
      expect({ lines: pending!.lines, bytes: pending!.bytes }).toEqual({ lines: n - next, bytes });
    } else expect(pending, 'a marker where nothing is missing').toBeNull();
    pending = null;
    next = n + 1;
  }
  return gaps;
}

/** A line whose length varies with n, so a cut-short write lands inside a record. */
const text = (n: number) => `line ${String(n).padStart(6, '0')} ${'x'.repeat((n * 37) % 90)}`;
/** Its record in the file: 40-character prefix, text, LF. */
const bytesOf = (n: number) => 40 + text(n).length + 1;

describe('log write outages (real failures)', () => {
  it('reports every outage and recovery, and the file has a marker with the counts at each gap', async () => {
    const errors: string[] = [];
    const recoveries: LogGap[] = [];
    const p = new LogPipeline({
      logDir: dir,
      now: () => T0,
      maxFileBytes: 4096,
      keepFiles: 10,
      onFileError: (service, error, lost) =>
        errors.push(`${service}: ${(error as NodeJS.ErrnoException).code} ${lost.lines}`),
      onFileRecovered: (_service, gap) => recoveries.push(gap),
    });
    let n = 0;
    const lines = async (count: number) => {
      for (let i = 0; i < count; i++) {
        p.write('svc', 'stdout', Buffer.from(`${text(++n)}\n`));
        await p.flush(); // one write per line, so each failure is a write of its own
      }
    };
    const live = path.join(dir, 'svc.log');
    const blocker = path.join(dir, 'svc.log.9');

    // Outage 1: the log file is /dev/full, every write fails with ENOSPC.
    await symlink('/dev/full', live);
    await lines(7);
    await unlink(live);
    await lines(3);
    // Outages 2 and 3 (same reason both times, which used to be reported only once): rotation
    // must delete svc.log.9 and finds a non-empty folder there.
    for (let outage = 0; outage < 2; outage++) {
      await mkdir(path.join(blocker, 'x'), { recursive: true });
      await lines(60); // fills the 4 KiB file, then every rotation fails
      await rm(blocker, { recursive: true });
      await lines(3);
    }
    await p.close();

    expect(errors).toEqual(['svc: ENOSPC 1', 'svc: ERR_FS_EISDIR 1', 'svc: ERR_FS_EISDIR 1']);
    const gaps = checkMarkers(await allRecords(dir, 'svc'), bytesOf);
    expect(gaps.map((g) => g.reason)).toEqual(['ENOSPC', 'EISDIR', 'EISDIR']);
    expect(gaps[0]).toMatchObject({ lines: 7 });
    expect(recoveries).toEqual(gaps);

    const system = p.tail('svc').filter((l) => l.stream === 'system');
    expect(system.map((l) => l.level)).toEqual(['error', 'info', 'error', 'info', 'error', 'info']);
    expect(system[0]!.text).toMatch(
      /^── could not write its log file: ENOSPC: no space left on device, write; 1 line were not written\./,
    );
    expect(system[1]!.text).toBe(
      `── log file writable again; 7 lines (${gaps[0]!.bytes.toLocaleString('en-US')} bytes) were not written while it failed (ENOSPC); the file has a marker line where they are missing. ──`,
    );
    expect(system[5]!.text).toContain(`${gaps[2]!.lines} lines`);
    // Every line is still in memory, outage or not.
    expect(p.tail('svc').filter((l) => l.stream === 'stdout')).toHaveLength(n);
  });
});

/** Mounts a 64 KiB tmpfs (root only); null where mounting is not allowed. */
function mountTmpfs(at: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', at], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Writes zeros to `file` until the disk is full. */
async function fillDisk(file: string): Promise<void> {
  await writeFile(file, Buffer.alloc(128 * 1024)).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOSPC') throw error;
  });
}

describe('a really full disk (tmpfs, root only)', () => {
  it('twice: counts lines cut short mid-record, leaves no torn record, marks both gaps', async (ctx) => {
    const disk = path.join(dir, 'disk');
    await mkdir(disk);
    if (!mountTmpfs(disk)) ctx.skip();
    try {
      const lost: { lines: number; bytes: number }[] = [];
      const recovered: LogGap[] = [];
      const sink = new RotatingFileSink(disk, 'svc', {
        onError: (_error, l) => lost.push(l),
        onRecovered: (gap) => recovered.push(gap),
      });
      let n = 0;
      const lines = async (count: number) => {
        for (let i = 0; i < count; i++) {
          n++;
          const line = { seq: n, service: 'svc', time: T0, level: null, truncated: false };
          sink.append({ ...line, stream: 'stdout', text: text(n) });
          if (i % 5 === 4) await sink.flush(); // batches of 5 records, so writes end mid-batch
        }
        await sink.flush();
      };
      for (let outage = 0; outage < 2; outage++) {
        await lines(30);
        await fillDisk(path.join(disk, 'ballast'));
        await lines(200); // the rest of the page, then ENOSPC, some writes cut short
        await unlink(path.join(disk, 'ballast'));
        await lines(10);
      }
      await sink.close();
      expect(recovered).toHaveLength(2);
      expect(lost.length).toBeGreaterThanOrEqual(2);
      const gaps = checkMarkers(await allRecords(disk, 'svc'), bytesOf);
      expect(gaps).toEqual(recovered);
      expect(gaps.map((g) => g.reason)).toEqual(['ENOSPC', 'ENOSPC']);
      const told = lost.reduce((sum, l) => sum + l.lines, 0);
      expect(gaps[0]!.lines + gaps[1]!.lines).toBe(told);
    } finally {
      execFileSync('umount', [disk]);
    }
  });
});
