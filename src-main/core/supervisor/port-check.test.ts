import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkPortFree, portInUseAdvice } from './port-check';
import { cleanup, freePort, spawnFixture, tracker, type Tracker } from './test-fixtures/helpers';

let t: Tracker;

beforeEach(() => {
  t = tracker();
});

afterEach(async () => {
  await cleanup(t);
});

describe('checkPortFree', () => {
  it('reports a free port as free', async () => {
    expect(await checkPortFree(await freePort())).toEqual({ free: true });
  });

  it('names the process that holds a taken port', async () => {
    const port = await freePort();
    const { child } = await spawnFixture(t, 'port-holder.mjs', [String(port)]);
    const result = await checkPortFree(port);
    expect(result.free).toBe(false);
    if (process.platform === 'linux') {
      const comm = (await readFile(`/proc/${child.pid}/comm`, 'utf8')).trim();
      expect(result).toEqual({ free: false, holder: { pid: child.pid, name: comm } });
    }
  });
});

describe('portInUseAdvice', () => {
  it('says who holds the port, or that the OS did not tell', () => {
    expect(portInUseAdvice(7234, { pid: 4711, name: 'node' })).toBe(
      'Port 7234 is already in use by pid 4711 (node). Stop that process or change the port in the stack file.',
    );
    expect(portInUseAdvice(7234, null)).toContain('the OS did not tell which one');
  });
});
