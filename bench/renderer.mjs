// Renderer part of `npm run bench`: the real renderer in Debian's Chromium (through the loopback
// browser host, like e2e) follows a service printing FLOOD_RATE lines/s, and we measure main-thread
// long tasks (PerformanceObserver 'longtask' and a Chromium devtools.timeline trace) and frame
// times (requestAnimationFrame deltas). Target of issue 4: no renderer main-thread task > 50 ms.
//
// Needs `npm run build` (dist/, or the build in BENCH_DIST); builds dist/ when it is missing.
/* global document, requestAnimationFrame -- in functions run inside the page */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { distDir } from './host.mjs';

const root = path.dirname(import.meta.dirname);
const LONG_TASK_MS = 50;

/** Same flags as playwright.config.ts (never download browsers). */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

const percentile = (sorted, p) =>
  sorted.length === 0
    ? 0
    : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

function stackYaml(lines, rate) {
  const node = JSON.stringify(process.execPath);
  const flood = JSON.stringify(path.join(root, 'e2e/fixtures/stand-in-flood.mjs'));
  return `# written by bench/renderer.mjs: only the flood service
services:
  temporal:
    enabled: false
  stigmer-server:
    enabled: false
  agent-runner:
    enabled: false
  flooder:
    command: ${node}
    args: [${flood}]
    env: { FLOOD_LINES: "${lines}", FLOOD_RATE: "${rate}" }
    stop: { signal: SIGTERM, grace: 2s }
`;
}

/** `node dist/main/browser-host.js --user-data-dir DIR`; resolves once it prints its URL. */
async function startHost(userDataDir) {
  const env = { ...process.env, HOME: userDataDir };
  for (const name of ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY', 'CURSOR_API_KEY']) delete env[name];
  const child = spawn(
    process.execPath,
    [path.join(distDir(), 'main/browser-host.js'), '--user-data-dir', userDataDir],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output = [];
  createInterface({ input: child.stderr }).on('line', (l) => output.push(`[stderr] ${l}`));
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`browser host did not start:\n${output.join('\n')}`));
    }, 15_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      output.push(line);
      if (line.startsWith('http://127.0.0.1:')) {
        clearTimeout(timer);
        resolve(line.trim());
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`browser host exited ${code}:\n${output.join('\n')}`));
    });
  });
  return { child, url, output };
}

async function stopHost(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Runs in the page before any app script: long tasks and rAF deltas, kept on globalThis. */
function probe() {
  const bench = { longTasks: [], frames: [], recording: false };
  globalThis.__bench = bench;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      bench.longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
  let last = 0;
  const tick = (t) => {
    if (bench.recording && last > 0) bench.frames.push(t - last);
    last = t;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}

/**
 * Main-thread tasks of the renderer in a devtools.timeline trace: wall-clock duration and thread
 * CPU time (`tdur`), in ms. On a loaded machine a task's wall time includes waiting for a core;
 * its CPU time is the work the renderer itself did, so both are reported.
 */
function traceTasks(trace) {
  const events = trace.traceEvents ?? trace;
  const mainThreads = new Set(
    events
      .filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
      .map((e) => `${e.pid}:${e.tid}`),
  );
  const tasks = events.filter(
    (e) =>
      e.ph === 'X' &&
      (e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask') &&
      typeof e.dur === 'number' &&
      mainThreads.has(`${e.pid}:${e.tid}`),
  );
  // Keep only outermost tasks (a RunTask may nest inside another on the same thread).
  tasks.sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const outer = [];
  const ends = new Map();
  for (const e of tasks) {
    const key = `${e.pid}:${e.tid}`;
    if (e.ts < (ends.get(key) ?? -1)) continue;
    ends.set(key, e.ts + e.dur);
    outer.push({ wall: e.dur / 1000, cpu: (typeof e.tdur === 'number' ? e.tdur : e.dur) / 1000 });
  }
  return outer;
}

/**
 * Measures the renderer following a flood. Returns a plain object for the results JSON; `text` is
 * the block for the printed table.
 */
export async function measureRenderer({
  rate = 20_000,
  lines = 200_000,
  seconds = 8,
  log = () => {},
} = {}) {
  if (!existsSync(path.join(distDir(), 'main/browser-host.js'))) {
    log('dist/ missing: running npm run build ...');
    execFileSync('npm', ['run', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const { chromium } = await import('playwright-core');
  const userDataDir = await mkdtemp(path.join(os.tmpdir(), 'stigmer-bench-renderer-'));
  await writeFile(path.join(userDataDir, 'stack.yaml'), stackYaml(lines, rate));
  let host = null;
  let browser = null;
  try {
    host = await startHost(userDataDir);
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: CHROMIUM_ARGS,
    });
    const context = await browser.newContext({ viewport: { width: 1100, height: 720 } });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.addInitScript(probe);
    await page.goto(host.url);
    await page.getByRole('heading', { name: 'Services' }).waitFor();
    await page.getByRole('button', { name: 'Start all' }).click();
    await page
      .locator('li.service[data-service="flooder"] .pill[data-state="ready"]')
      .waitFor({ timeout: 20_000 });
    await page.getByRole('button', { name: 'Logs for flooder' }).click();
    await page
      .getByRole('tablist', { name: 'Log sources' })
      .getByRole('tab', { name: 'flooder', exact: true })
      .and(page.locator('[aria-selected="true"]'))
      .waitFor();
    await page
      .getByRole('button', { name: 'Follow', exact: true })
      .and(page.locator('[aria-pressed="true"]'))
      .waitFor();
    await page.getByRole('log', { name: 'Log lines' }).locator('[data-seq]').first().waitFor();

    // Highest line sequence number rendered: how far the view has followed the flood.
    const lastSeq = () =>
      page.evaluate(() =>
        Math.max(
          0,
          ...[...document.querySelectorAll('[data-seq]')].map((r) => Number(r.dataset.seq)),
        ),
      );
    log(`renderer: measuring ${seconds} s at ${rate.toLocaleString('en-US')} lines/s ...`);
    let tracing = true;
    try {
      await browser.startTracing(page, { categories: ['devtools.timeline', 'toplevel'] });
    } catch (err) {
      tracing = false;
      log(`renderer: tracing unavailable (${err.message})`);
    }
    const seqBefore = await lastSeq();
    const t0 = await page.evaluate(() => {
      globalThis.__bench.frames.length = 0;
      globalThis.__bench.recording = true;
      return performance.now();
    });
    // Self-check of the probes: BENCH_RENDERER_INJECT_MS=120 blocks the renderer once mid-window.
    const inject = Number(process.env.BENCH_RENDERER_INJECT_MS ?? 0);
    if (inject > 0) {
      await page.waitForTimeout((seconds * 1000) / 2);
      await page.evaluate((ms) => {
        // From a page task (a timer), not the DevTools evaluation, so 'longtask' sees it too.
        setTimeout(() => {
          const end = performance.now() + ms;
          while (performance.now() < end);
        }, 0);
      }, inject);
      await page.waitForTimeout((seconds * 1000) / 2 - inject);
    } else await page.waitForTimeout(seconds * 1000);
    const sample = await page.evaluate(() => {
      const b = globalThis.__bench;
      b.recording = false;
      const atBottom = (() => {
        const el = document.querySelector('[role="log"]');
        return el ? el.scrollHeight - el.scrollTop - el.clientHeight < 20 : null;
      })();
      return { t1: performance.now(), frames: b.frames, longTasks: b.longTasks, atBottom };
    });
    const seqAfter = await lastSeq();
    let traceTaskMs = null;
    if (tracing) {
      const buf = await browser.stopTracing();
      if (process.env.BENCH_TRACE_DUMP) await writeFile(process.env.BENCH_TRACE_DUMP, buf);
      traceTaskMs = traceTasks(JSON.parse(buf.toString('utf8')));
    }
    const floodDone = await page
      .getByText('[flood] done after')
      .count()
      .catch(() => 0);

    const inWindow = sample.longTasks.filter((t) => t.start >= t0 && t.start < sample.t1);
    const frames = [...sample.frames].sort((a, b) => a - b);
    const r1 = (x) => Math.round(x * 10) / 10;
    const longTasks = {
      count: inWindow.length,
      maxMs: r1(Math.max(0, ...inWindow.map((t) => t.duration))),
      totalMs: r1(inWindow.reduce((s, t) => s + t.duration, 0)),
      beforeWindow: sample.longTasks.filter((t) => t.start < t0).length,
    };
    const frameStats = {
      count: frames.length,
      p50Ms: r1(percentile(frames, 50)),
      p95Ms: r1(percentile(frames, 95)),
      p99Ms: r1(percentile(frames, 99)),
      maxMs: r1(frames.at(-1) ?? 0),
      over50Pct: r1((100 * frames.filter((f) => f > LONG_TASK_MS).length) / (frames.length || 1)),
    };
    const trace =
      traceTaskMs === null
        ? null
        : {
            tasks: traceTaskMs.length,
            over50: traceTaskMs.filter((d) => d.wall > LONG_TASK_MS).length,
            maxMs: r1(Math.max(0, ...traceTaskMs.map((d) => d.wall))),
            cpuOver50: traceTaskMs.filter((d) => d.cpu > LONG_TASK_MS).length,
            cpuMaxMs: r1(Math.max(0, ...traceTaskMs.map((d) => d.cpu))),
          };
    const worst = Math.max(longTasks.maxMs, trace?.maxMs ?? 0);
    const pass = longTasks.count === 0 && (trace === null || trace.over50 === 0);
    const verdict = pass ? 'PASS' : 'MISS';
    const text = [
      `renderer @ ${rate.toLocaleString('en-US')} lines/s for ${seconds} s (Chromium, Logs → flooder, Follow on):` +
        ` long tasks ${longTasks.count} (max ${longTasks.maxMs} ms, total ${longTasks.totalMs} ms)` +
        (trace === null
          ? '; trace n/a'
          : `; trace: ${trace.over50} of ${trace.tasks.toLocaleString('en-US')} main-thread tasks > ${LONG_TASK_MS} ms (max ${trace.maxMs} ms; on CPU: ${trace.cpuOver50} > ${LONG_TASK_MS} ms, max ${trace.cpuMaxMs} ms)`),
      `  frames ${frameStats.count}: p50 ${frameStats.p50Ms} ms, p95 ${frameStats.p95Ms} ms, p99 ${frameStats.p99Ms} ms, max ${frameStats.maxMs} ms, ${frameStats.over50Pct}% > ${LONG_TASK_MS} ms;` +
        ` view followed lines ${seqBefore} → ${seqAfter} (${Math.round((seqAfter - seqBefore) / seconds).toLocaleString('en-US')}/s), at bottom ${sample.atBottom}, flood ${floodDone > 0 ? 'had ended' : 'still running'} at window end`,
      `target no renderer task > ${LONG_TASK_MS} ms: worst ${worst} ms ${verdict}`,
    ].join('\n');
    return {
      rate,
      seconds,
      longTasks,
      frames: frameStats,
      trace,
      lastSeqBefore: seqBefore,
      lastSeqAfter: seqAfter,
      followedToBottom: sample.atBottom,
      floodEndedInWindow: floodDone > 0,
      target: `no main-thread task > ${LONG_TASK_MS} ms`,
      verdict,
      text,
    };
  } finally {
    await browser?.close().catch(() => {});
    if (host !== null) await stopHost(host.child);
    await rm(userDataDir, { recursive: true, force: true });
  }
}
