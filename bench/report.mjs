// The table of `npm run bench`: one row per figure, this run beside its anchor from the same
// run, the target and whether it was met. Pure: results object in, text and markdown out.

const fmtN = (x) =>
  x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e3 ? `${Math.round(x / 1e3)}k` : `${x}`;
const ms = (x) => (x === null || x === undefined ? 'n/a' : `${x} ms`);
const verdict = (ok) => (ok === null ? '' : ok ? 'target met' : 'target MISSED');

/** Rows [figure, this run, anchor (same run), target, verdict] from a results object. */
export function reportRows(r) {
  const rows = [];
  const add = (figure, value, anchor = '', target = '', ok = null) =>
    rows.push([figure, value, anchor, target, verdict(ok)]);
  const failed = (name) => add(name, `FAILED: ${r[name].error}`);

  const c = r.capture;
  if (c?.error) failed('capture');
  else if (c) {
    const t = c.medianSeconds;
    const lps = (s) => `${fmtN(c.lines / s)} lines/s (${s.toFixed(2)} s)`;
    add(`capture ${fmtN(c.lines)} lines: raw child > file`, lps(t.raw), '(the anchor)');
    if (t.pm2 !== null) add('capture: pm2 --time', lps(t.pm2), '(the anchor)');
    for (const mode of ['worker', 'inline']) {
      const vsRaw = t.raw / t[mode];
      const vsPm2 = t.pm2 === null ? null : t.pm2 / t[mode];
      const label = mode === 'inline' ? 'inline (pre-worker design)' : 'worker';
      add(
        `capture: app, ${label}`,
        `${lps(t[mode])}; ${vsRaw.toFixed(2)}x raw${vsPm2 === null ? '' : `, ${vsPm2.toFixed(2)}x pm2`}`,
        'raw = 1.00x',
        mode === 'worker' ? '>= 0.9x raw' : '',
        mode === 'worker' ? vsRaw >= 0.9 : null,
      );
      const f = c.fidelity[mode];
      add(
        `capture: app ${mode} file byte-identical`,
        f.identical
          ? 'yes'
          : `NO (first difference at byte ${f.firstDifferingOffset}, ${f.badRecords} bad records)`,
        '',
        'identical',
        f.identical,
      );
    }
    const p = c.fidelity.pm2;
    if (p)
      add(
        'capture: pm2 --time lines altered',
        `${p.alteredLines.toLocaleString('en-US')} of ${c.lines.toLocaleString('en-US')}`,
      );
  }

  const m = r.memory;
  if (m?.error) failed('memory');
  else if (m) {
    add(
      `memory: ${m.lines.toLocaleString('en-US')} buffered lines (${m.textMB.toFixed(1)} MB text)`,
      `${m.heapUsedMB.toFixed(1)} MB heap, ${m.rssMB.toFixed(1)} MB rss`,
    );
  }

  const resp = r.responsiveness;
  if (resp?.error) failed('responsiveness');
  else if (resp) {
    const { worker: w, inline: i } = resp;
    const rtt = (x) => `p50 ${ms(x.p50Ms)}, p99 ${ms(x.p99Ms)}, max ${ms(x.maxMs)}`;
    add('IPC round trip, idle (worker)', rtt(w.idle.rtt), `inline: ${rtt(i.idle.rtt)}`);
    add(
      `IPC round trip, flood of ${fmtN(w.lines)} lines (worker)`,
      `${rtt(w.flood.rtt)} over ${w.floodSeconds} s`,
      `inline: ${rtt(i.flood.rtt)} over ${i.floodSeconds} s`,
      'p99 <= 16 ms',
      w.flood.rtt.p99Ms <= 16,
    );
    add(
      'host event-loop delay p99, idle (worker)',
      ms(w.idle.eld?.p99Ms),
      `inline: ${ms(i.idle.eld?.p99Ms)}`,
    );
    add(
      'host event-loop delay p99, flood (worker)',
      `${ms(w.flood.eld?.p99Ms)} (max ${ms(w.flood.eld?.maxMs)})`,
      `inline: ${ms(i.flood.eld?.p99Ms)} (max ${ms(i.flood.eld?.maxMs)})`,
      'p99 <= 16 ms',
      w.flood.eld ? w.flood.eld.p99Ms <= 16 : null,
    );
    add(
      'host RSS peak during the flood (worker)',
      `${w.rssMB.floodPeak} MB`,
      `inline: ${i.rssMB.floodPeak} MB`,
      '< 150 MB',
      w.rssMB.floodPeak < 150,
    );
    add(
      `host RSS ${w.rssMB.afterSeconds} s after the flood (worker)`,
      `${w.rssMB.after} MB`,
      `inline: ${i.rssMB.after} MB`,
      '< 150 MB',
      w.rssMB.after < 150,
    );
  }

  const idle = r.idle;
  if (idle?.error) failed('idle');
  else if (idle) {
    const pct = (x) => `${x.cpuPercent.toFixed(2)}% (${x.cpuMs} ms in ${x.seconds.toFixed(0)} s)`;
    add(
      'host CPU, 3 idle services, nobody looking',
      pct(idle.nobodyLooking),
      idle.anchor ? `before: ${pct(idle.anchor.nobodyLooking)}` : 'issue 12: 1.2% (a2e4120)',
      '< 0.3%',
      idle.nobodyLooking.cpuPercent < 0.3,
    );
    add('host CPU, 3 idle services, a window looking', pct(idle.windowLooking));
  }

  const rd = r.readiness;
  if (rd?.error) failed('readiness');
  else if (rd) {
    for (const [name, x] of [
      ['tcp', rd.tcp],
      ['log line', rd.log],
    ]) {
      add(
        `readiness latency, ${name} probe (${x.starts} starts)`,
        `median ${ms(x.medianMs)}, p99 ${ms(x.p99Ms)}, max ${ms(x.maxMs)}`,
        '',
        'within 25 ms',
        x.p99Ms <= 25,
      );
    }
  }

  const rn = r.renderer;
  if (rn?.error) failed('renderer');
  else if (rn?.skipped) add('renderer', `skipped (${rn.skipped})`);
  else if (rn) {
    for (const [rate, x] of Object.entries(rn)) {
      const longest = Math.max(x.longTasks.maxMs, x.trace?.maxMs ?? 0);
      const over = Math.max(x.longTasks.count, x.trace?.over50 ?? 0);
      add(
        `renderer at ${fmtN(Number(rate))} lines/s`,
        `longest task ${longest} ms, ${over} tasks > 50 ms, p95 frame ${x.frames.p95Ms} ms` +
          (x.trace?.cpuMaxMs === undefined
            ? ''
            : `; on the renderer's CPU: longest ${x.trace.cpuMaxMs} ms, ${x.trace.cpuOver50} > 50 ms`),
        '',
        'no task > 50 ms',
        over === 0,
      );
    }
  }
  return rows;
}

/** The printed table and the markdown file of one results object. */
export function formatReport(r) {
  const head = ['figure', 'this run', 'anchor (same run)', 'target', ''];
  const rows = reportRows(r);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (row) =>
    row
      .map((cell, i) => cell.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  const intro =
    `${r.date}, ${r.platform}, Node ${r.node}, load average at start ${r.loadAverageAtStart.join(' ')}` +
    `${r.quick ? ', --quick' : ''}; host from ${r.dist}`;
  const text = [intro, '', line(head), ...rows.map(line)].join('\n');
  const cell = (s) => s.replace(/\|/g, '\\|');
  const markdown = [
    `# Bench results (${r.date})`,
    '',
    intro,
    '',
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
    '',
  ].join('\n');
  return { text, markdown };
}
