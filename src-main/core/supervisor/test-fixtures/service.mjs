// A configurable stand-in service for the supervisor tests. Flags (all optional):
//   --name N            name used in --log lines
//   --log FILE          append "<event>:<name>" lines (start, sigterm, stdin-shutdown)
//   --listen PORT       open a TCP listener on 127.0.0.1:PORT after --delay ms
//   --http PORT         answer HTTP 200 on 127.0.0.1:PORT after --delay ms
//   --print TEXT        print TEXT on stdout after --delay ms
//   --eprint TEXT       print TEXT on stderr after --delay ms
//   --ignore-sigterm    note SIGTERM in the log but keep running
//   --stdin-shutdown    exit 0 on a {"type":"shutdown"} stdin line (like runner manager mode)
//   --exit CODE         exit with CODE after --delay ms (+ 50 ms so output is flushed)
//   --counter FILE --crashes N   count runs in FILE; the first N runs exit 1 after printing
//   --replay DIR        print DIR/stdout.txt and DIR/stderr.txt (a captured failure) after --delay
//   --sigterm-eprint T  on SIGTERM print T on stderr, then exit 1 (unless --ignore-sigterm)
//   --grandchild FILE   spawn a grandchild (in our group) that ignores SIGTERM; write its pid
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const args = process.argv.slice(2);
const opt = (flag) => {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
};
const has = (flag) => args.includes(flag);
const name = opt('--name') ?? 'svc';
const logFile = opt('--log');
const log = (event) => logFile && appendFileSync(logFile, `${event}:${name}\n`);
const delay = Number(opt('--delay') ?? 0);

log('start');
setInterval(() => {}, 60_000);

process.on('SIGTERM', () => {
  log('sigterm');
  if (opt('--sigterm-eprint') !== undefined) {
    // Like the runner whose Temporal never answers: its fatal line comes while it is stopped.
    process.stderr.write(`${opt('--sigterm-eprint')}\n`, () => {
      if (!has('--ignore-sigterm')) setTimeout(() => process.exit(1), 50);
    });
    return;
  }
  if (!has('--ignore-sigterm')) process.exit(0);
});

if (has('--stdin-shutdown')) {
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line.trim() === '{"type":"shutdown"}') {
      log('stdin-shutdown');
      process.stdout.write('{"type":"shutdownComplete"}\n', () => process.exit(0));
    }
  });
}

if (opt('--grandchild')) {
  const gc = spawn(
    process.execPath,
    ['-e', "process.on('SIGTERM', () => {}); setInterval(() => {}, 60000)"],
    { stdio: 'ignore' },
  );
  writeFileSync(opt('--grandchild'), String(gc.pid));
}

let crashing = false;
if (opt('--counter')) {
  const file = opt('--counter');
  let n;
  try {
    n = Number(readFileSync(file, 'utf8')) + 1;
  } catch {
    n = 1;
  }
  writeFileSync(file, String(n));
  crashing = n <= Number(opt('--crashes') ?? 0);
}

setTimeout(() => {
  if (opt('--listen')) createServer().listen(Number(opt('--listen')), '127.0.0.1');
  if (opt('--http')) {
    createHttpServer((_req, res) => res.end('ok')).listen(Number(opt('--http')), '127.0.0.1');
  }
  if (opt('--replay')) {
    process.stdout.write(readFileSync(join(opt('--replay'), 'stdout.txt')));
    process.stderr.write(readFileSync(join(opt('--replay'), 'stderr.txt')));
  }
  if (opt('--print')) process.stdout.write(`${opt('--print')}\n`);
  if (opt('--eprint')) process.stderr.write(`${opt('--eprint')}\r\n`);
  if (crashing) setTimeout(() => process.exit(1), 100);
  if (opt('--exit') !== undefined) setTimeout(() => process.exit(Number(opt('--exit'))), 50);
}, delay);
