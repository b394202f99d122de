// A small seeded PRNG (mulberry32) so a soak run can be replayed from its printed seed: the
// same seed draws the same sequence of choices (the states they meet still depend on timing).

/** A seeded random source with the few helpers the soak needs. */
export function createRng(seed) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n) => Math.floor(next() * n);
  return {
    next,
    /** A whole number in [0, n). */
    int,
    /** A whole number in [lo, hi]. */
    between: (lo, hi) => lo + int(hi - lo + 1),
    /** True with probability p. */
    chance: (p) => next() < p,
    /** One element of a non-empty array. */
    pick: (items) => items[int(items.length)],
    /** A key of `weights` ({name: weight}), chosen in proportion to its weight. */
    weighted(weights) {
      const entries = Object.entries(weights).filter(([, w]) => w > 0);
      let roll = next() * entries.reduce((sum, [, w]) => sum + w, 0);
      for (const [name, w] of entries) {
        roll -= w;
        if (roll < 0) return name;
      }
      return entries[entries.length - 1][0];
    },
    /** `n` lowercase hex characters. */
    hex: (n) => Array.from({ length: n }, () => int(16).toString(16)).join(''),
  };
}

/** A fresh seed when none was given (printed, so the run can be replayed). */
export function randomSeed() {
  return Math.floor(Math.random() * 2 ** 31);
}
