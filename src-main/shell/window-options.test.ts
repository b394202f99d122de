import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MIN_WINDOW_SIZE, dashboardWindowOptions, windowBackground } from './window-options';

describe('dashboardWindowOptions', () => {
  it('is a hidden-until-ready, sandboxed window with the preload', () => {
    const options = dashboardWindowOptions('/p/preload.cjs', false);
    expect(options).toMatchObject({
      width: 1100,
      height: 720,
      title: 'Stigmer Local',
      show: false,
      backgroundColor: '#ffffff',
    });
    expect(options.minWidth).toBeLessThan(options.width!);
    expect(options.webPreferences).toMatchObject({
      preload: '/p/preload.cjs',
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
    });
  });

  it('never shrinks below 800×600, the size the layout is tested at', () => {
    const options = dashboardWindowOptions('/p', false);
    expect(options.minWidth).toBe(800);
    expect(options.minHeight).toBe(600);
    expect(MIN_WINDOW_SIZE).toEqual({ width: 800, height: 600 });
    expect(options.height!).toBeGreaterThanOrEqual(options.minHeight!);
  });

  it('follows the system theme for the first paint', () => {
    expect(dashboardWindowOptions('/p', true).backgroundColor).toBe(windowBackground(true));
    expect(windowBackground(true)).not.toBe(windowBackground(false));
  });
});

// Unit tests run in plain Node, where require('electron') throws: the modules they load must
// import electron for types only. This keeps that true as the files change.
describe('pure shell modules', () => {
  const pure = [
    'security.ts',
    'app-url.ts',
    'app-protocol.ts',
    'tray-model.ts',
    'ipc-transport.ts',
    'quit-flow.ts',
    'window-options.ts',
  ];
  it.each(pure)('%s imports electron for types only', (file) => {
    const source = readFileSync(path.join(import.meta.dirname, file), 'utf8');
    const runtimeImports = source
      .split('\n')
      .filter((line) => /from 'electron'/.test(line) && !/^import type /.test(line));
    expect(runtimeImports).toEqual([]);
  });
});
