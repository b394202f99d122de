import { describe, expect, it } from 'vitest';
import type { ServiceStatus, UsageReport } from '../../src-shared/model/service';
import type { GroupReader } from './supervisor';
import { Attention } from './attention';
import { startUsageReports } from './usage-reports';

const running = (name: string, pid: number | null) => ({ name, pid }) as ServiceStatus;
const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
};

describe('startUsageReports', () => {
  it('reports running services by name, says each distinct problem once, and stops', async () => {
    const failures = ['ps: not found', 'ps: not found', 'ps: not found', 'ps: killed'];
    const reader: GroupReader = async (pgids) => {
      const failure = failures.shift();
      if (failure) throw new Error(failure);
      return new Map(pgids.map((p) => [p, { cpuMs: 10, rssBytes: 1000 * p, processes: 1 }]));
    };
    const reports: UsageReport[] = [];
    const problems: string[] = [];
    let statuses = [running('server', 11), running('runner', 22), running('temporal', null)];
    const usage = startUsageReports({
      statuses: () => statuses,
      report: (r) => reports.push(r),
      reader,
      intervalMs: 5,
      onProblem: (m) => problems.push(m),
    });
    await until(() => reports.length >= 2);
    expect(problems).toEqual(['ps: not found', 'ps: killed']);
    expect(reports[0]!.services).toEqual({
      server: { cpuPercent: null, rssBytes: 11_000, processes: 1 },
      runner: { cpuPercent: null, rssBytes: 22_000, processes: 1 },
    });
    expect(reports[1]!.services.server!.cpuPercent).toBe(0);

    statuses = [running('server', null), running('runner', null)];
    await until(() => Object.keys(reports.at(-1)!.services).length === 0);
    const count = reports.length;
    await new Promise((r) => setTimeout(r, 50));
    expect(reports.length).toBe(count); // nothing runs: one empty report, then quiet
    usage.stop();
  });

  it('samples only while someone looks, and starts afresh with a sample when someone does', async () => {
    let reads = 0;
    const reader: GroupReader = async (pgids) => {
      reads++;
      return new Map(pgids.map((p) => [p, { cpuMs: 10 * reads, rssBytes: 4096, processes: 1 }]));
    };
    const reports: UsageReport[] = [];
    const attention = new Attention();
    const usage = startUsageReports({
      statuses: () => [running('server', 11)],
      report: (r) => reports.push(r),
      reader,
      intervalMs: 5,
      onProblem: () => undefined,
      attention,
    });
    // A service runs, nobody looks: several periods pass without a single read of /proc.
    await new Promise((r) => setTimeout(r, 50));
    expect(reads).toBe(0);

    attention.set('page:1', true);
    await until(() => reports.length >= 2);
    expect(reports[0]!.services.server!.cpuPercent).toBeNull(); // no earlier reading
    expect(reports[1]!.services.server!.cpuPercent).not.toBeNull();

    attention.set('page:1', false);
    await new Promise((r) => setTimeout(r, 20)); // a sample in flight may still land
    const count = reports.length;
    const readsWhenHidden = reads;
    await new Promise((r) => setTimeout(r, 50));
    expect(reads).toBe(readsWhenHidden);
    expect(reports.length).toBe(count);

    // Looking again: the first figure is memory only, not CPU averaged over the hidden time.
    attention.set('window:1', true);
    await until(() => reports.length > count);
    expect(reports[count]!.services.server!.cpuPercent).toBeNull();
    usage.stop();
    const stopped = reads;
    await new Promise((r) => setTimeout(r, 30));
    expect(reads).toBe(stopped);
  });
});

describe('Attention', () => {
  it('is looking while any window or page is visible and tells each flip once', () => {
    const attention = new Attention();
    const flips: boolean[] = [];
    const off = attention.onChange((looking) => flips.push(looking));
    attention.set('window:1', true);
    attention.set('page:1', true);
    attention.set('window:1', false);
    expect(attention.looking).toBe(true);
    attention.set('page:1', false);
    attention.set('page:1', false); // closed twice: no second flip
    expect(attention.looking).toBe(false);
    expect(flips).toEqual([true, false]);
    off();
    attention.set('page:2', true);
    expect(flips).toEqual([true, false]);
  });
});
