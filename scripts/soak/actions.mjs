// The soak's random actions. Each takes the run context and a record it fills with what it
// did; each throws a SoakViolation when something the action itself can judge went wrong.
import { writeFile } from 'node:fs/promises';
import { killHost, launchHost, launchSecondHost, stopHost } from './host-client.mjs';
import { ask, checkLogs, SoakViolation } from './invariants.mjs';
import { verifyJournalFiles } from './journal.mjs';
import { isLive, scanProcesses } from './processes.mjs';
import { invalidStack, validStack } from './stack-files.mjs';

/** How often each action is drawn (relative weights). */
export const WEIGHTS = {
  'stack-start': 10,
  'stack-stop': 7,
  'service-start': 7,
  'service-stop': 5,
  'service-restart': 7,
  'kill-child': 12,
  'reload-valid': 6,
  'reload-invalid': 4,
  'host-kill': 3,
  'host-restart': 2,
  'second-host': 1,
  'key-set': 6,
  'key-rotate': 4,
  'key-lock': 3,
  'settings-set': 5,
  burst: 4,
};

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const brief = (r) => (r.ok ? 'ok' : `${r.error.code}: ${r.error.message.slice(0, 140)}`);

/** Start a host on the run's data dir and make it the live one; failing to start is a violation. */
export async function relaunch(ctx, startStack) {
  try {
    ctx.host = await launchHost({
      hostDir: ctx.hostDir,
      dataDir: ctx.dataDir,
      homeDir: ctx.homeDir,
      startStack,
    });
  } catch (error) {
    throw new SoakViolation('host relaunches on its data dir', error.message);
  }
  ctx.hosts.push(ctx.host);
  const snap = (await ask(ctx, 'stack:snapshot')).value;
  const reported = snap.stackFile.error !== null;
  if (reported === ctx.fileValid) {
    throw new SoakViolation(
      'stack file judged right',
      `at launch the ${ctx.fileValid ? 'valid' : 'invalid'} stack file was ${reported ? `refused: ${snap.stackFile.error}` : 'accepted'}`,
    );
  }
}

function serviceName(ctx, snap) {
  if (ctx.rng.chance(0.04)) return 'ghost'; // unknown: must be a not-found answer, nothing else
  const names = snap.services.map((s) => s.name).sort();
  return names.length > 0 ? ctx.rng.pick(names) : 'agent-runner';
}

async function snapshot(ctx) {
  return (await ask(ctx, 'stack:snapshot')).value;
}

function newCanary(ctx) {
  const value = `sk-ant-soak-${ctx.rng.hex(40)}`;
  ctx.canary.add(value); // watched for before the host ever sees it
  return value;
}

function keyEntry(ctx) {
  const name = ctx.rng.chance(0.85) ? 'ANTHROPIC_API_KEY' : 'OPENAI_API_KEY';
  return { name, value: newCanary(ctx), remember: false, requireTouchId: false };
}

function settingsChange(rng) {
  const change = {};
  if (rng.chance(0.7)) {
    change.keyIdleMinutes = rng.pick([0, 1, 5, 10, 30, 1440, rng.between(0, 1440)]);
  }
  if (rng.chance(0.4)) {
    change.binaries = rng.pick([
      {},
      { temporal: '/opt/soak/bin/temporal' },
      { temporal: `~/soak/temporal-${rng.hex(4)}` },
    ]);
  }
  if (rng.chance(0.15)) change.launchAtLogin = false;
  if (Object.keys(change).length === 0) change.keyIdleMinutes = rng.between(0, 1440);
  return change;
}

async function writeStack(ctx, text, valid) {
  await writeFile(ctx.stackPath, text);
  ctx.fileValid = valid;
  if (valid) ctx.lastValidText = text;
}

/** The actions by name: (ctx, rec) => Promise<void>. */
export const ACTIONS = {
  async 'stack-start'(ctx, rec) {
    rec.detail = brief(await ask(ctx, 'stack:start', undefined, 60_000));
  },

  async 'stack-stop'(ctx, rec) {
    const r = await ask(ctx, 'stack:stop', undefined, 60_000);
    rec.detail = brief(r);
    if (!r.ok) return;
    const running = (await snapshot(ctx)).services.filter((s) => s.pid !== null);
    if (running.length > 0) {
      throw new SoakViolation(
        'stack stop stops everything',
        running.map((s) => `${s.name} is ${s.state} with pid ${s.pid}`).join('; '),
      );
    }
  },

  async 'service-start'(ctx, rec) {
    const name = serviceName(ctx, await snapshot(ctx));
    rec.detail = `${name}: ${brief(await ask(ctx, 'services:start', { name }, 60_000))}`;
  },

  async 'service-stop'(ctx, rec) {
    const name = serviceName(ctx, await snapshot(ctx));
    rec.detail = `${name}: ${brief(await ask(ctx, 'services:stop', { name }, 60_000))}`;
  },

  async 'service-restart'(ctx, rec) {
    const name = serviceName(ctx, await snapshot(ctx));
    rec.detail = `${name}: ${brief(await ask(ctx, 'services:restart', { name }, 60_000))}`;
  },

  async 'kill-child'(ctx, rec) {
    const groups = new Set((await snapshot(ctx)).services.map((s) => s.pid).filter(Boolean));
    const members = scanProcesses(ctx.marker)
      .filter((p) => p.pid !== ctx.host.pid && groups.has(p.pgid))
      .sort((a, b) => a.pid - b.pid);
    if (members.length === 0) {
      rec.detail = 'nothing running';
      return;
    }
    const victim = ctx.rng.pick(members);
    try {
      process.kill(victim.pid, 'SIGKILL');
      ctx.stats.childKills++;
      rec.detail = `SIGKILL ${victim.pid} ${victim.pid === victim.pgid ? '(service)' : '(grandchild)'} ${victim.cmd.split(' ').pop()}`;
    } catch (error) {
      rec.detail = `${victim.pid} already gone (${error.code})`;
    }
    await sleep(50); // let the supervisor see the exit before the checks look
  },

  async 'reload-valid'(ctx, rec) {
    const { kind, text } = validStack(ctx.rng, ctx);
    await writeStack(ctx, text, true);
    const r = await ask(ctx, 'stack:reload');
    rec.detail = `${kind}: ${brief(r)}`;
    if (r.ok && r.value.stackFile.error !== null) {
      throw new SoakViolation(
        'stack file judged right',
        `valid file refused: ${r.value.stackFile.error}`,
      );
    }
  },

  async 'reload-invalid'(ctx, rec) {
    const { kind, text } = invalidStack(ctx.rng, ctx);
    await writeStack(ctx, text, false);
    const r = await ask(ctx, 'stack:reload');
    rec.detail = `${kind}: ${r.ok ? (r.value.stackFile.error ?? 'accepted').split('\n')[0].slice(0, 120) : brief(r)}`;
    if (r.ok && r.value.stackFile.error === null) {
      throw new SoakViolation('stack file judged right', `invalid file (${kind}) accepted`);
    }
    // Often put the good file back (unloaded), so later launches also meet a valid file.
    if (ctx.rng.chance(0.6)) await writeStack(ctx, ctx.lastValidText, true);
  },

  async 'host-kill'(ctx, rec) {
    const old = ctx.host;
    await killHost(old);
    ctx.stats.hostKills++;
    const orphans = scanProcesses(ctx.marker).filter((p) => p.pid !== old.pid);
    const journal = await verifyJournalFiles(ctx.auditDir);
    if (!journal.ok) {
      ctx.stats.verifyFailures++;
      throw new SoakViolation(
        'journal verifies',
        `after kill -9, on disk: ${JSON.stringify(journal)}`,
      );
    }
    if (journal.tornTail) ctx.stats.tornJournalTailsAfterKill++;
    const startStack = ctx.rng.chance(0.3);
    await relaunch(ctx, startStack);
    const groups = new Set((await snapshot(ctx)).services.map((s) => s.pid).filter(Boolean));
    const survivors = [];
    for (const o of orphans) if (!groups.has(o.pgid) && isLive(o.pid)) survivors.push(o);
    if (survivors.length > 0) {
      ctx.stats.leftoverProcesses += survivors.length;
      throw new SoakViolation(
        'relaunch reclaims orphans',
        survivors.map((p) => `pid ${p.pid} (pgid ${p.pgid}) still runs: ${p.cmd}`).join('\n'),
      );
    }
    ctx.stats.orphansReclaimed += orphans.length;
    rec.detail = `host ${old.pid} killed with ${orphans.length} children; relaunched as ${ctx.host.pid}${startStack ? ' --start-stack' : ''}`;
  },

  async 'host-restart'(ctx, rec) {
    const old = ctx.host;
    const code = await stopHost(old);
    ctx.stats.hostRestarts++;
    if (code !== 0) {
      throw new SoakViolation('clean stop', `SIGTERM: the host ended with ${code} (expected 0)`);
    }
    const deadline = Date.now() + 3000;
    let left = scanProcesses(ctx.marker);
    while (left.length > 0 && Date.now() < deadline) {
      await sleep(100);
      left = scanProcesses(ctx.marker);
    }
    if (left.length > 0) {
      ctx.stats.leftoverProcesses += left.length;
      throw new SoakViolation(
        'no leftover process',
        `after a clean stop: ${left.map((p) => `pid ${p.pid}: ${p.cmd}`).join('; ')}`,
      );
    }
    const journal = await verifyJournalFiles(ctx.auditDir, { strict: true });
    if (!journal.ok) {
      ctx.stats.verifyFailures++;
      throw new SoakViolation('journal verifies', `after a clean stop: ${JSON.stringify(journal)}`);
    }
    await checkLogs(ctx, true);
    const startStack = ctx.rng.chance(0.3);
    await relaunch(ctx, startStack);
    rec.detail = `host ${old.pid} stopped (0); relaunched as ${ctx.host.pid}${startStack ? ' --start-stack' : ''}`;
  },

  async 'second-host'(ctx, rec) {
    // One instance per data dir: a second host must leave the live one and its stack alone.
    const pids = (s) => s.services.map((x) => `${x.name}:${x.pid}`).join(',');
    const before = await snapshot(ctx);
    const second = await launchSecondHost(ctx);
    ctx.stats.secondHosts++;
    const out = second.output.trim().split('\n').slice(-1)[0]?.slice(0, 120);
    rec.detail = `second host ${second.pid} ended ${second.code}: ${out}`;
    if (second.code === 0 || second.code === null) {
      throw new SoakViolation(
        'one instance per data dir',
        `a second host on the same data dir ${second.code === null ? 'kept running' : 'exited 0'}: ${second.output.slice(0, 400)}`,
      );
    }
    const after = await snapshot(ctx);
    // Only a settled stack can be compared: a service in backoff (say, after the kill-child just
    // before) is restarted by the live host on its own schedule, which is not the second host's doing.
    const SETTLED = new Set(['stopped', 'ready', 'failed', 'not-installed', 'needs-key', 'held']);
    const busy = (s) => s.services.some((x) => !SETTLED.has(x.state));
    if (!busy(before) && !busy(after) && pids(before) !== pids(after)) {
      throw new SoakViolation(
        'one instance per data dir',
        `the second host changed the live stack: ${pids(before)} -> ${pids(after)}`,
      );
    }
  },

  async 'key-set'(ctx, rec) {
    const entry = keyEntry(ctx);
    rec.detail = `${entry.name}: ${brief(await ask(ctx, 'secrets:set', entry))}`;
  },

  async 'key-rotate'(ctx, rec) {
    const entry = keyEntry(ctx);
    const r = await ask(ctx, 'secrets:rotate', entry, 60_000);
    rec.detail = `${entry.name}: ${r.ok ? `${r.value.outcome}: ${r.value.message}` : brief(r)}`;
  },

  async 'key-lock'(ctx, rec) {
    rec.detail = brief(await ask(ctx, 'secrets:lock'));
  },

  async 'settings-set'(ctx, rec) {
    const { rng } = ctx;
    if (rng.chance(0.1)) {
      // A value the schema refuses: a plain "bad-arguments" answer, nothing changes.
      const bad = rng.pick([
        { keyIdleMinutes: -5 },
        { keyIdleMinutes: 2.5 },
        { launchAtLogin: true },
      ]);
      const r = await ask(ctx, 'settings:set', bad);
      rec.detail = `refused ${JSON.stringify(bad)}: ${brief(r)}`;
      if (r.ok) throw new SoakViolation('settings validated', `accepted ${JSON.stringify(bad)}`);
      return;
    }
    const count = rng.chance(0.3) ? rng.between(2, 4) : 1;
    const changes = Array.from({ length: count }, () => settingsChange(rng));
    const results = await Promise.all(changes.map((c) => ask(ctx, 'settings:set', c)));
    rec.detail = changes.map((c, i) => `${JSON.stringify(c)} ${brief(results[i])}`).join(' | ');
  },

  async burst(ctx, rec) {
    const snap = await snapshot(ctx);
    const { rng } = ctx;
    const makers = [
      () => ['stack:snapshot', undefined],
      () => ['stack:start', undefined],
      () => ['stack:stop', undefined],
      () => ['stack:reload', undefined],
      () => ['services:start', { name: serviceName(ctx, snap) }],
      () => ['services:stop', { name: serviceName(ctx, snap) }],
      () => ['services:restart', { name: serviceName(ctx, snap) }],
      () => ['settings:set', settingsChange(rng)],
      () => ['secrets:set', keyEntry(ctx)],
      () => ['secrets:lock', undefined],
      () => ['logs:tail', { service: null, limit: 200 }],
      () => ['audit:list', { limit: 50 }],
    ];
    const calls = Array.from({ length: rng.between(3, 7) }, () => rng.pick(makers)());
    const results = await Promise.all(calls.map(([c, a]) => ask(ctx, c, a, 60_000)));
    rec.detail = calls
      .map(([c], i) => `${c} ${results[i].ok ? 'ok' : results[i].error.code}`)
      .join(', ');
  },
};
