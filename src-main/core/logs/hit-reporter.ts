/** What to tell the audit trail about secrets a service printed. */
export interface RedactionReport {
  service: string;
  /** Names found now whose report window had expired. */
  names: string[];
  /** Per name: hits swallowed since that name's previous report (0 on a first report). */
  suppressed: Record<string, number>;
}

/** Options of a HitReporter. */
export interface HitReporterOptions {
  /** At most one report per (service, name) in this window. */
  windowMs?: number;
  now?: () => number;
}

interface Slot {
  lastReport: number;
  suppressed: number;
}

/**
 * Rate limiter for redaction hits: a child that prints its key in every request line must not
 * flood the audit journal, yet the user must learn that it happens and roughly how often.
 */
export class HitReporter {
  private readonly windowMs: number;
  private readonly now: () => number;
  private readonly slots = new Map<string, Slot>();

  constructor(options: HitReporterOptions = {}) {
    this.windowMs = options.windowMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  /** Count hits of `names` by `service`; returns a report when one is due, else null. */
  note(service: string, names: readonly string[]): RedactionReport | null {
    const t = this.now();
    let report: RedactionReport | null = null;
    for (const name of names) {
      const key = `${service}\u0000${name}`;
      const slot = this.slots.get(key);
      if (slot !== undefined && t - slot.lastReport < this.windowMs) {
        slot.suppressed++;
        continue;
      }
      report ??= { service, names: [], suppressed: {} };
      report.names.push(name);
      report.suppressed[name] = slot?.suppressed ?? 0;
      this.slots.set(key, { lastReport: t, suppressed: 0 });
    }
    return report;
  }

  /**
   * Reports for hits still suppressed (e.g. at shutdown), so counts are not lost when a
   * service stops printing its key before the window ends. Resets those counts.
   */
  drain(): RedactionReport[] {
    const byService = new Map<string, RedactionReport>();
    for (const [key, slot] of this.slots) {
      if (slot.suppressed === 0) continue;
      const [service = '', name = ''] = key.split('\u0000');
      let report = byService.get(service);
      if (report === undefined) {
        report = { service, names: [], suppressed: {} };
        byService.set(service, report);
      }
      report.names.push(name);
      report.suppressed[name] = slot.suppressed;
      slot.suppressed = 0;
    }
    return [...byService.values()];
  }
}
