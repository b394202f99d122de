// Test fixture (bundled by bundle.ts, run with node): one process that tries to take a data
// dir's instance lock. Argv: <userDataDir> <host>. It prints `ready`, waits for a `go` line on
// stdin (so a test can start several at the same moment), tries once and prints one JSON line:
// {"result":"won"} or {"result":"refused","holder":<pid>}. A winner holds the lock until
// SIGTERM (released, exit 0) or SIGKILL (left stale, as a crash would).
import { createInterface } from 'node:readline';
import { InstanceLockedError, acquireInstanceLock, type InstanceHost } from '../instance-lock';
import { currentProcessIdentity } from '../supervisor/pid-file';

const [userDataDir, host] = process.argv.slice(2) as [string, InstanceHost];

async function attempt(): Promise<void> {
  try {
    const lock = await acquireInstanceLock({ userDataDir, host });
    process.on('SIGTERM', () => {
      lock.releaseSync();
      process.exit(0);
    });
    process.stdout.write(`${JSON.stringify({ result: 'won' })}\n`);
    setInterval(() => undefined, 60_000);
  } catch (error) {
    if (!(error instanceof InstanceLockedError)) throw error;
    process.stdout.write(`${JSON.stringify({ result: 'refused', holder: error.holder.pid })}\n`);
    process.exit(0);
  }
}

const lines = createInterface({ input: process.stdin });
lines.once('line', () => {
  lines.close();
  void attempt().catch((error: unknown) => {
    process.stdout.write(`${JSON.stringify({ result: 'error', message: String(error) })}\n`);
    process.exit(1);
  });
});
// Read our own identity before `ready`, so the racers start the contested part together.
void currentProcessIdentity().then(() => process.stdout.write('ready\n'));
