// A process that left its service's process group (see escaper.mjs), as a daemon would: writes
// its pid to FILE (write + rename, so a reader never sees half a number) and stays up.
// Argv: <pid file> [--ignore-sigterm]
import { renameSync, writeFileSync } from 'node:fs';

const [pidFile, ...flags] = process.argv.slice(2);
if (flags.includes('--ignore-sigterm')) process.on('SIGTERM', () => {});
writeFileSync(`${pidFile}.tmp`, String(process.pid));
renameSync(`${pidFile}.tmp`, pidFile);
setInterval(() => {}, 60_000);
