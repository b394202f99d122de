// Plays a supervisor that is about to die: spawns a detached child (own process group), writes
// the pid file in the supervisor's exact format (see pid-file.ts), prints the child's pid and
// waits to be SIGKILLed. Argv: <runDir> <service name> <sleeper script>.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const [runDir, name, sleeper] = process.argv.slice(2);
const child = spawn(process.execPath, [sleeper], { detached: true, stdio: 'ignore' });
child.unref();

function startTime(pid) {
  if (process.platform === 'linux') {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ticks = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[22 - 3];
    const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    return `${bootId}:${ticks}`;
  }
  return execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], {
    env: { LC_ALL: 'C', PATH: '/bin:/usr/bin' },
  })
    .toString()
    .trim();
}

mkdirSync(runDir, { recursive: true });
const record = {
  pid: child.pid,
  startTime: startTime(child.pid),
  name,
  command: [process.execPath, sleeper],
  writtenAt: Date.now(),
  // This process plays the app that spawned the child; once it is SIGKILLed, the child is an orphan.
  owner: { pid: process.pid, startTime: startTime(process.pid) },
};
writeFileSync(join(runDir, `${name}.pid`), `${JSON.stringify(record)}\n`);
process.stdout.write(`child ${child.pid}\n`);
setInterval(() => {}, 60_000);
