import { describe, expect, it, vi } from 'vitest';
import { fingerprintWith } from './fingerprint';
import { Vault } from './vault';

const key = Buffer.alloc(32, 7);
const fingerprint = (value: Buffer) => fingerprintWith(key, value);

describe('Vault', () => {
  it('copies the value and zeroes the caller buffer', () => {
    const vault = new Vault({ fingerprint });
    const input = Buffer.from('sk-ant-vault-test');
    const info = vault.set('ANTHROPIC_API_KEY', input, 'session');
    expect(input.every((b) => b === 0)).toBe(true);
    expect(info).toMatchObject({ name: 'ANTHROPIC_API_KEY', set: true, source: 'session' });
    expect(info.fingerprint).toBe(fingerprint(Buffer.from('sk-ant-vault-test')));
    expect(vault.withValue('ANTHROPIC_API_KEY', (v) => v)).toBe('sk-ant-vault-test');
    expect(vault.withValue('OPENAI_API_KEY', (v) => v)).toBeUndefined();
    expect(JSON.stringify(vault.info('ANTHROPIC_API_KEY'))).not.toContain('sk-ant-vault-test');
  });

  it('zeroes its own bytes on delete, replace and clear', () => {
    const vault = new Vault({ fingerprint });
    vault.set('A', Buffer.from('first-value'), 'session');
    const first = vault.withBytes('A', (b) => b)!;
    vault.set('A', Buffer.from('second-value'), 'session');
    expect(first.every((b) => b === 0)).toBe(true);
    const second = vault.withBytes('A', (b) => b)!;
    expect(vault.delete('A')).toBe(true);
    expect(second.every((b) => b === 0)).toBe(true);
    expect(vault.delete('A')).toBe(false);
    vault.set('B', Buffer.from('b-value'), 'environment');
    vault.set('C', Buffer.from('c-value'), 'keychain');
    const held = ['B', 'C'].map((n) => vault.withBytes(n, (b) => b)!);
    expect(vault.clear().sort()).toEqual(['B', 'C']);
    expect(held.every((b) => b.every((x) => x === 0))).toBe(true);
    expect(vault.info('B')).toEqual({
      name: 'B',
      set: false,
      source: null,
      fingerprint: null,
      updatedAt: null,
    });
  });

  it('evicts keys not delivered within idleMs, by an injected clock', () => {
    let now = 1_000;
    const vault = new Vault({ fingerprint, idleMs: 600_000, now: () => now });
    vault.set('A', Buffer.from('a-value'), 'session');
    vault.set('B', Buffer.from('b-value'), 'session');
    now += 500_000;
    vault.touch('A');
    now += 200_000;
    expect(vault.evictIdle(now)).toEqual(['B']);
    expect(vault.has('A')).toBe(true);
    now += 600_000;
    expect(vault.evictIdle()).toEqual(['A']);
    vault.setIdleMs(0);
    vault.set('C', Buffer.from('c-value'), 'session');
    expect(vault.evictIdle(now + 10 ** 9)).toEqual([]);
  });

  it('runs eviction on a timer with the injected clock until disposed', async () => {
    let now = 0;
    const vault = new Vault({ fingerprint, idleMs: 1_000, now: () => now });
    vault.set('A', Buffer.from('a-value'), 'session');
    const onEvict = vi.fn();
    vault.startIdleTimer(onEvict, 5);
    await new Promise((r) => setTimeout(r, 30));
    expect(onEvict).not.toHaveBeenCalled();
    now = 1_000;
    await vi.waitFor(() => expect(onEvict).toHaveBeenCalledTimes(1));
    const [evicted] = onEvict.mock.calls[0]!;
    expect(evicted).toEqual([
      expect.objectContaining({ name: 'A', fingerprint: expect.any(String) }),
    ]);
    vault.set('B', Buffer.from('b-value'), 'session');
    const bytes = vault.withBytes('B', (b) => b)!;
    vault.dispose();
    expect(bytes.every((b) => b === 0)).toBe(true);
    now = 10_000;
    await new Promise((r) => setTimeout(r, 30));
    expect(onEvict).toHaveBeenCalledTimes(1);
  });
});
