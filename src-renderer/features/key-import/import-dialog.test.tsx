// @vitest-environment jsdom
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApi } from '../../../src-shared/ipc/api';
import type { ImportScan } from '../../../src-shared/model/key-import';
import { KeyImportHost } from './import-dialog';
import { useKeyImport } from './import-store';

// The import dialog through the contract-built API, with main as a stand-in: what it offers,
// what it sends (ids and consent, never a value), and the first-run offer.

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const scan = (firstRun: boolean): ImportScan => ({
  firstRun,
  sources: [
    { file: '/h/.stigmer/config.yaml', kind: 'stigmer-config', status: 'found', message: null },
  ],
  candidates: [
    {
      id: 'stigmer-config:12:ANTHROPIC_API_KEY',
      name: 'ANTHROPIC_API_KEY',
      file: '/h/.stigmer/config.yaml',
      line: 12,
      fingerprint: 'fp:0123456789ab',
      problem: null,
      removeProblem: null,
    },
    {
      id: 'dotenv:3:OPENAI_API_KEY',
      name: 'OPENAI_API_KEY',
      file: '/p/.env',
      line: 3,
      fingerprint: 'fp:ba9876543210',
      problem: 'An OpenAI key starts with "sk-"; this one does not.',
      removeProblem: null,
    },
  ],
});

let sent: { channel: string; args: unknown }[];
let firstRun: boolean;
let root: Root;
let host: HTMLDivElement;

beforeEach(() => {
  sent = [];
  firstRun = true;
  const api = buildApi({
    async invoke(channel, args) {
      sent.push({ channel, args });
      if (channel === 'secrets:import-scan') return { ok: true, value: scan(firstRun) };
      if (channel === 'secrets:import') {
        const outcomes = [
          {
            id: 'stigmer-config:12:ANTHROPIC_API_KEY',
            name: 'ANTHROPIC_API_KEY',
            file: '/h/.stigmer/config.yaml',
            imported: true,
            removed: false,
            message: null,
          },
        ];
        return { ok: true, value: { outcomes, keys: null } };
      }
      if (channel === 'app:info') return { ok: true, value: { canPickFiles: false } };
      return { ok: true, value: null };
    },
    subscribe: () => () => undefined,
  });
  Object.defineProperty(window, 'stigmer', { value: api, configurable: true });
  useKeyImport.setState({ open: false, scan: null, busy: null, error: null, outcomes: null });
  host = document.createElement('div');
  document.body.append(host);
  root = createRoot(host);
});
afterEach(() => {
  act(() => root.unmount());
  host.remove();
});

const flush = () => act(() => new Promise((r) => setTimeout(r, 0)));
const dialog = () => document.querySelector('[role="dialog"]');
const box = (li: string) =>
  document.querySelector<HTMLInputElement>(`.import-candidates li[data-name="${li}"] input`)!;

describe('the key import dialog', () => {
  it('opens by itself at first run with the found keys; consent is off; a bad key cannot be chosen', async () => {
    act(() => root.render(<KeyImportHost />));
    await flush();
    expect(sent[0]).toEqual({ channel: 'secrets:import-scan', args: { auto: true } });
    expect(dialog()?.textContent).toContain('/h/.stigmer/config.yaml:12');
    expect(dialog()?.textContent).toContain('fp:0123456789ab');
    expect(box('ANTHROPIC_API_KEY').checked).toBe(true);
    expect(box('OPENAI_API_KEY').disabled).toBe(true);
    expect(dialog()?.textContent).toContain('Cannot be imported: An OpenAI key starts with "sk-"');
    const consent = [...document.querySelectorAll<HTMLInputElement>('.import-consent input')][0]!;
    expect(consent.checked).toBe(false);
    const importButton = [...document.querySelectorAll('button')].find((b) =>
      b.textContent?.startsWith('Import 1 key'),
    )!;
    act(() => importButton.click());
    await flush();
    expect(sent.at(-1)).toEqual({
      channel: 'secrets:import',
      args: { ids: ['stigmer-config:12:ANTHROPIC_API_KEY'], removeFromFile: false },
    });
    expect(dialog()?.textContent).toContain('imported; the file was left as it was.');
  });

  it('stays closed after the first run', async () => {
    firstRun = false;
    act(() => root.render(<KeyImportHost />));
    await flush();
    expect(sent.map((s) => s.channel)).toContain('secrets:import-scan');
    expect(dialog()).toBeNull();
  });
});
