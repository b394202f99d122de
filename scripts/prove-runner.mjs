#!/usr/bin/env node
// Proof that a staged runner tree runs on the Node it will get: it starts, loads its native
// modules (sqlite3's binding and the Temporal core bridge, from inside the tree) and is the
// pinned version. Runner 3.8.0 has no --version and prints no version, so a preload (-r) records
// every native module the process opens and, at exit, the version in the package.json of the
// script the process ran. The runner is pointed at a Temporal address that refuses connections:
// reaching "tcp connect error" means it got past loading everything up to the worker's connect.
//
// Usage: node scripts/prove-runner.mjs [--dir build/runner] [--node PATH | --electron PATH]
//   --node: a Node >= the pinned range (default: the Node 22 scripts/setup-runner.sh cached).
//   --electron: the app's Electron binary, run as Node with ELECTRON_RUN_AS_NODE=1 (a real build).
// Exit 0 with a JSON summary on stdout; exit 1 with advice otherwise.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import semver from 'semver';
import { defaultStageDir, readPin, runnerMain, sqliteLinkage } from './runner-pin.mjs';

/** The preload run inside the runner's process: records natives, writes a report at exit. */
const PROBE = `'use strict';
const fs = require('node:fs');
const path = require('node:path');
const natives = [];
const dlopen = process.dlopen;
process.dlopen = function (module, filename, ...rest) {
  natives.push(filename);
  return dlopen.call(this, module, filename, ...rest);
};
process.on('exit', (code) => {
  let version = null;
  try {
    version = JSON.parse(fs.readFileSync(path.join(path.dirname(process.argv[1]), 'package.json'), 'utf8')).version;
  } catch {}
  fs.writeFileSync(process.env.STIGMER_PROVE_REPORT, JSON.stringify({ code, node: process.versions.node, electron: process.versions.electron ?? null, version, natives }));
});
`;

/** A localhost port nothing listens on (bound, then closed). */
function refusedPort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** The Node 22 scripts/setup-runner.sh cached (its paths.env), or null. */
function cachedNode22() {
  const cache =
    process.env.STIGMER_RUNNER_CACHE ?? path.join(homedir(), '.cache/stigmer-local-test');
  if (process.env.STIGMER_TEST_NODE22) return process.env.STIGMER_TEST_NODE22;
  const file = path.join(cache, 'paths.env');
  if (!existsSync(file)) return null;
  const line = readFileSync(file, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('STIGMER_TEST_NODE22='));
  return line ? line.slice(line.indexOf('=') + 1).trim() : null;
}

/**
 * Runs the proof; resolves { ok, summary } or { ok: false, problems, output }. Exported for
 * scripts/check-package.mjs and scripts/bump-runner.mjs.
 */
export async function proveRunner({ dir, node = null, electron = null, pin = readPin() }) {
  const main = runnerMain(dir, pin);
  if (!existsSync(main)) {
    return {
      ok: false,
      problems: [`${main} is missing: stage the runner first (node scripts/stage-runner.mjs).`],
      output: '',
    };
  }
  const executable = electron ?? node ?? cachedNode22();
  if (!executable || !existsSync(executable)) {
    return {
      ok: false,
      problems: [
        `no Node to run it with (${executable ?? 'none given'}): pass --node with a Node ${pin.node}, or run \`bash scripts/setup-runner.sh\`, which caches one.`,
      ],
      output: '',
    };
  }
  const work = mkdtempSync(path.join(tmpdir(), 'stigmer-prove-runner-'));
  try {
    const probe = path.join(work, 'probe.cjs');
    const report = path.join(work, 'report.json');
    writeFileSync(probe, PROBE);
    const port = await refusedPort();
    // A small env of its own: no keys, no HOME of the builder (the runner makes a workspace there).
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: work,
      WORKSPACE_ROOT_DIR: path.join(work, 'workspace'),
      MODE: 'local',
      TEMPORAL_SERVICE_ADDRESS: `127.0.0.1:${port}`,
      TEMPORAL_NAMESPACE: 'default',
      STIGMER_PROVE_REPORT: report,
      ...(electron ? { ELECTRON_RUN_AS_NODE: '1' } : {}),
    };
    const child = spawn(executable, ['-r', probe, main], {
      cwd: work,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    // A runner that hangs instead of failing its connect is a failed proof, not a stuck build.
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const [code, signal] = await new Promise((r) => child.once('close', (c, s) => r([c, s])));
    clearTimeout(timer);
    const facts = existsSync(report) ? JSON.parse(readFileSync(report, 'utf8')) : null;
    const problems = [];
    const inTree = (f) => path.resolve(f).startsWith(path.resolve(dir) + path.sep);
    if (!facts) {
      problems.push(
        `it exited (${signal ?? `code ${code}`}) before Node could report anything: the runner or its Node does not start.`,
      );
    } else {
      if (!semver.satisfies(facts.node, pin.node)) {
        problems.push(
          `it ran on Node ${facts.node}, which does not satisfy the runner's ${pin.node}: give a newer Node (Electron 45 has Node 24).`,
        );
      }
      if (facts.version !== pin.version)
        problems.push(
          `the runner reports version ${facts.version}, the pin says ${pin.version}: stage it again.`,
        );
      const sqlite = facts.natives.find((f) => /node_sqlite3\.node$/.test(f));
      const bridge = facts.natives.find((f) => /core-bridge[\\/].*\.node$/.test(f));
      if (!sqlite)
        problems.push(
          'sqlite3\'s native binding was never loaded (see the output for "Could not locate the bindings file").',
        );
      else if (!inTree(sqlite))
        problems.push(`sqlite3's binding came from outside the staged tree (${sqlite}).`);
      if (!bridge)
        problems.push(
          'the Temporal core bridge (.node) was never loaded: the platform package is missing or does not load on this OS/CPU.',
        );
      else if (!inTree(bridge))
        problems.push(`the Temporal core bridge came from outside the staged tree (${bridge}).`);
    }
    if (!/\[runner\] mode=/.test(output))
      problems.push('it never printed its start line ("[runner] mode=…").');
    if (!/tcp connect error|ConnectionRefused/.test(output)) {
      problems.push(
        `it did not reach its connect to Temporal at 127.0.0.1:${port} (expected "tcp connect error"); the output below says where it stopped.`,
      );
    }
    if (problems.length > 0) return { ok: false, problems, output };
    return {
      ok: true,
      summary: {
        runner: `${pin.package}@${facts.version}`,
        node: facts.node,
        electron: facts.electron,
        natives: facts.natives.map((f) => path.relative(dir, f)),
        sqlite: sqliteLinkage(dir),
      },
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (
  import.meta.url === `file://${process.argv[1]}` ||
  process.argv[1]?.endsWith('prove-runner.mjs')
) {
  const { values } = parseArgs({
    options: { dir: { type: 'string' }, node: { type: 'string' }, electron: { type: 'string' } },
  });
  const result = await proveRunner({
    dir: path.resolve(values.dir ?? defaultStageDir),
    node: values.node ?? null,
    electron: values.electron ?? null,
  });
  if (result.ok) {
    console.log(JSON.stringify(result.summary, null, 2));
  } else {
    console.error(
      `prove-runner: the staged runner failed its proof:\n  ${result.problems.join('\n  ')}`,
    );
    if (result.output)
      console.error(
        `--- its output (last 20 lines) ---\n${result.output.split('\n').slice(-20).join('\n')}`,
      );
    process.exit(1);
  }
}
