// Deterministic log lines for the bench: same seed, same bytes, every run and every process.

/** mulberry32: a small seeded PRNG returning floats in [0, 1). */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  'request served cache miss upstream retry pool worker queue flushed token model reply ' +
  'latency ms bytes user session connected closed timeout ok ready agent graph node edge ' +
  'compile deploy build step café naïve → stream chunk offset partial done'
).split(' ');
const LEVELS = ['INFO', 'INFO', 'INFO', 'DEBUG', 'WARN', 'ERROR'];

/**
 * A line generator: next() returns the text of line n (1-based, without "\n"), 20-200 bytes,
 * a mix of JSON lines, `[LEVEL] ...` lines and plain text; every line carries its number.
 * Bodies come from a pool built once, so generating a line costs little more than a concat and
 * the raw-pipe baseline measures the pipe, not the generator.
 */
export function lineGenerator(seed = 42) {
  const rnd = prng(seed);
  const pick = (arr) => arr[Math.floor(rnd() * arr.length)];
  const words = (target) => {
    let s = pick(WORDS);
    while (Buffer.byteLength(s) < target) s += ' ' + pick(WORDS);
    // Keep within target bytes on a character boundary (WORDS has a few multi-byte characters).
    while (Buffer.byteLength(s) > target) s = s.slice(0, -1);
    return s;
  };
  /** [before, after]: a line is before + n + after; room for a 7-digit n keeps it <= 200 bytes. */
  const pool = [];
  for (let i = 0; i < 4096; i++) {
    const kind = rnd();
    const level = pick(LEVELS);
    if (kind < 0.3) {
      const before = `{"level":"${level.toLowerCase()}","n":`;
      const after = `,"msg":${JSON.stringify(words(1 + Math.floor(rnd() * 140)))},"ms":${Math.floor(rnd() * 1000)}}`;
      pool.push([before, after]);
    } else if (kind < 0.7) {
      pool.push([`[${level}] #`, ` ${words(12 + Math.floor(rnd() * 165))}`]);
    } else {
      pool.push(['', ` ${words(18 + Math.floor(rnd() * 172))}`]);
    }
  }
  let n = 0;
  return () => {
    n++;
    const [before, after] = pool[(Math.imul(n, 2654435761) >>> 20) & 4095];
    return before + n + after;
  };
}
