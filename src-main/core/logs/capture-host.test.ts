import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { CaptureHost } from './capture-host';
import type { FromCapture } from './capture-protocol';

const CANARY = 'canary-VALUE-7f3a9c1e5b42d';
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'stigmer-capture-host-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

it('wipes the secret bytes it was given, and says no secret in a fault', async () => {
  const out: FromCapture[] = [];
  const host = new CaptureHost((m) => out.push(m), { acks: false });
  host.handle({ type: 'init', settings: { logDir: dir } });
  const value = new Uint8Array(Buffer.from(CANARY));
  host.handle({ type: 'secrets', list: [{ name: 'CANARY_KEY', value }] });
  expect(value.every((b) => b === 0)).toBe(true);
  const text = host.describe(new Error(`could not parse "${CANARY}" at byte 3`));
  expect(text).toBe('Error: could not parse "[redacted:CANARY_KEY]" at byte 3');
  host.handle({ type: 'mark', service: 's', text: `a ${CANARY} b`, level: 'info' });
  host.handle({ type: 'tail', id: 1, service: 's', n: 10 });
  expect(JSON.stringify(out)).not.toContain(CANARY);
  expect(out.find((m) => m.type === 'reply')).toMatchObject({
    lines: [{ text: 'a [redacted:CANARY_KEY] b' }],
  });
  await host.handle({ type: 'close', id: 2 });
});
