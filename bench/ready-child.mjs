// A service for the readiness bench: after READY_DELAY_MS it either opens READY_PORT (mode tcp)
// or prints its ready line (mode log), and writes the wall-clock time of that moment (ms, with
// fractions) to READY_MARK_FILE, for the bench to compare with the host's readyAt. SIGTERM
// exits at once.
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';

const mode = process.env.READY_MODE ?? 'log';
const delay = Number(process.env.READY_DELAY_MS ?? 200);
const mark = process.env.READY_MARK_FILE;
const wallNow = () => performance.timeOrigin + performance.now();

setTimeout(() => {
  if (mode === 'tcp') {
    const server = createServer((socket) => socket.end());
    server.listen(Number(process.env.READY_PORT), '127.0.0.1', () => {
      // The port accepts from the moment listen() returned; this callback is a tick later.
      if (mark) writeFileSync(mark, String(wallNow()));
    });
  } else {
    const t = wallNow();
    process.stdout.write('bench child ready\n');
    if (mark) writeFileSync(mark, String(t));
  }
}, delay);
process.on('SIGTERM', () => process.exit(0));
setInterval(() => {}, 1 << 30);
