import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { trayIconFile, type TrayIconName } from './tray-model';

// scripts/make-icons.mjs writes the .ico container by hand; this reads it back the way
// Windows does (header, directory, then each entry's bytes) so a wrong offset or size fails.
const resources = path.join(import.meta.dirname, '..', '..', 'resources');
const NAMES: TrayIconName[] = ['stopped', 'starting', 'ready', 'degraded', 'failed'];
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10]);

/** The sizes an .ico declares, each checked against the PNG it points at. */
function icoSizes(file: string): number[] {
  const bytes = readFileSync(file);
  expect([bytes.readUInt16LE(0), bytes.readUInt16LE(2)]).toEqual([0, 1]); // reserved, type icon
  const count = bytes.readUInt16LE(4);
  const sizes: number[] = [];
  let end = 6 + 16 * count;
  for (let i = 0; i < count; i++) {
    const entry = bytes.subarray(6 + 16 * i, 6 + 16 * (i + 1));
    const size = entry[0] === 0 ? 256 : entry[0]!;
    expect(entry[1] === 0 ? 256 : entry[1]).toBe(size);
    expect([entry.readUInt16LE(4), entry.readUInt16LE(6)]).toEqual([1, 32]); // planes, bpp
    const length = entry.readUInt32LE(8);
    const offset = entry.readUInt32LE(12);
    expect(offset).toBe(end); // images follow the directory back to back
    const png = bytes.subarray(offset, offset + length);
    expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([size, size]); // IHDR
    end = offset + length;
    sizes.push(size);
  }
  expect(end).toBe(bytes.length);
  return sizes;
}

describe('Windows .ico files', () => {
  it.each(NAMES)('the %s tray icon holds 16 to 32 px for every display scaling', (name) => {
    const file = trayIconFile(name, 'win32');
    expect(file).toBe(`tray-${name}.ico`);
    expect(icoSizes(path.join(resources, file))).toEqual([16, 20, 24, 32]);
  });

  it('the app icon holds 16 up to 256 px (electron-builder requires 256 for win.icon)', () => {
    expect(icoSizes(path.join(resources, 'icon.ico'))).toEqual([16, 24, 32, 48, 64, 128, 256]);
  });
});
