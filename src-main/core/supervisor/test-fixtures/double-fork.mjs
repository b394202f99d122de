// The intermediate of a double fork: started in a new session by escaper.mjs, it starts the
// daemon (escapee.mjs, which stays in this session and group) and exits at once, so the daemon
// is reparented to init (or a subreaper) and no live ancestor links it to the service.
// Argv: <pid file> [flags for escapee.mjs]
import { spawn } from 'node:child_process';

const daemon = spawn(
  process.execPath,
  [new URL('./escapee.mjs', import.meta.url).pathname, ...process.argv.slice(2)],
  { stdio: 'ignore' },
);
daemon.unref();
process.exit(0);
