// The flood child: writes LINES deterministic lines (default 1,000,000) to stdout as fast as the
// pipe accepts, in ~64 KiB writes, waiting for 'drain' when the pipe is full.
import { lineGenerator } from './lines.mjs';

const total = Number(process.env.FLOOD_LINES ?? process.argv[2] ?? 1_000_000);
const next = lineGenerator(Number(process.env.FLOOD_SEED ?? 42));
const CHUNK = 64 * 1024;

let n = 0;
function pump() {
  while (n < total) {
    let s = '';
    while (n < total && s.length < CHUNK) {
      s += next() + '\n';
      n++;
    }
    if (!process.stdout.write(s)) {
      process.stdout.once('drain', pump);
      return;
    }
  }
}
pump();
