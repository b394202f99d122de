import { describe, expect, it } from 'vitest';
import type { ServiceStatus, UsageReport } from '../../src-shared/model/service';
import type { GroupReader } from './supervisor';
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
});
