import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { HOST_NODE_FLAGS } from './node-flags';

/** A child that makes a flood's worth of short-lived garbage, then prints its new space in MB. */
const PROBE = `
let keep = [];
for (let i = 0; i < 2e6; i++) { keep.push({ text: 'line ' + i }); if (keep.length > 5000) keep = []; }
const v8 = require('node:v8');
const s = v8.getHeapSpaceStatistics().find((x) => x.space_name === 'new_space');
process.stdout.write(String(s.space_size / 1048576));
`;

const newSpaceMb = (flags: readonly string[]): number =>
  Number(execFileSync(process.execPath, [...flags, '-e', PROBE], { encoding: 'utf8' }));

describe('browser host node flags', () => {
  it('are accepted by this Node and keep the young generation small under garbage', () => {
    const bounded = newSpaceMb(HOST_NODE_FLAGS);
    const unbounded = newSpaceMb([]);
    const semiMb = Number(/--max-semi-space-size=(\d+)/.exec(HOST_NODE_FLAGS.join(' '))?.[1]);
    expect(semiMb).toBeGreaterThan(0);
    expect(bounded).toBeGreaterThan(0);
    // The new space is two semi-spaces.
    expect(bounded).toBeLessThanOrEqual(2 * semiMb);
    // The default grows past it, so the flag is what holds it down.
    expect(unbounded).toBeGreaterThan(bounded);
  });
});
