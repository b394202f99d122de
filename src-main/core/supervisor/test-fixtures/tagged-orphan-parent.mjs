// Plays a supervisor that is about to die, like orphan-parent.mjs, but the way spawnChild does it
// now: the child gets STIGMER_LOCAL_TAG in its environment and the pid file records the tag.
// Prints "child <pid>" and waits to be SIGKILLed.
// Argv: <runDir> <service name> <tag> <script> [script args...]
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [runDir, name, tag, script, ...args] = process.argv.slice(2);
const child = spawn(process.execPath, [script, ...args], {
  detached: true,
  stdio: 'ignore',
  env: { PATH: process.env.PATH ?? '/usr/bin:/bin', STIGMER_LOCAL_TAG: tag },
});
child.unref();

// Linux only (the tests that use it are): `<boot id>:<start ticks>` as pid-file.ts writes it.
const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
const ticks = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[22 - 3];
const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
const record = {
  pid: child.pid,
  startTime: `${bootId}:${ticks}`,
  name,
  command: [process.execPath, script, ...args],
  writtenAt: Date.now(),
  tag,
};
mkdirSync(runDir, { recursive: true });
writeFileSync(join(runDir, `${name}.pid`), `${JSON.stringify(record)}\n`);
process.stdout.write(`child ${child.pid}\n`);
setInterval(() => {}, 60_000);
