import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const eslint = new ESLint({ cwd: root });
const ELECTRON = ['elec', 'tron'].join('');

async function ruleIds(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: resolve(root, file) });
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

describe('lint boundaries', () => {
  it('forbids importing electron outside src-main/shell', async () => {
    // The module name is assembled so that this file does not itself look like an importer.
    const code = `import { app } from '${ELECTRON}';\nexport const a = app;\n`;
    expect(await ruleIds('src-main/core/x.ts', code)).toContain('no-restricted-imports');
    expect(await ruleIds('src-renderer/x.ts', code)).toContain('no-restricted-imports');
    expect(await ruleIds('src-main/shell/x.ts', code)).not.toContain('no-restricted-imports');
  });

  it('forbids ipcRenderer anywhere but the preload', async () => {
    const code = `import { ipcRenderer } from '${ELECTRON}';\nexport const i = ipcRenderer;\n`;
    expect(await ruleIds('src-main/shell/windows.ts', code)).toContain('no-restricted-syntax');
    expect(await ruleIds('src-main/shell/preload.ts', code)).not.toContain('no-restricted-syntax');
  });
});
