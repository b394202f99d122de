import { describe, expect, it } from 'vitest';
import { serviceStatus } from '../../../src-shared/model/test-snapshots';
import { programSource, settingsProblem, sourceLabel } from './program-source';

const STACK = '/home/u/.stigmer/stack.yaml';

function found(searched: string[], state: 'stopped' | 'not-installed' = 'stopped') {
  return serviceStatus('temporal', state, { searched });
}

describe('programSource', () => {
  it('names the stack file and its path when the stack file supplies the program', () => {
    const source = programSource(found(['stack.yaml: /opt/temporal/bin/temporal (found)']), STACK);
    expect(source).toEqual({
      kind: 'stack-file',
      file: 'stack.yaml',
      path: '/opt/temporal/bin/temporal',
    });
    expect(sourceLabel(source!)).toBe('From stack.yaml: /opt/temporal/bin/temporal');
  });

  it('takes the first place that was found, after the places that were not', () => {
    const service = found([
      'Settings: no path set',
      '$TEMPORAL_BIN: not set (the temporal executable)',
      'PATH: /usr/local/bin/temporal (not found)',
      'PATH: /usr/bin/temporal (found)',
      'Node: /usr/bin/node (found)',
    ]);
    expect(sourceLabel(programSource(service, STACK)!)).toBe('Found on PATH: /usr/bin/temporal');
  });

  it('says the variable, the default folder, or plain "found" for a path set here', () => {
    const env = found(['Settings: no path set', '$TEMPORAL_BIN: /x/temporal (found)']);
    expect(sourceLabel(programSource(env, STACK)!)).toBe(
      'Found through $TEMPORAL_BIN: /x/temporal',
    );
    const home = found(['Settings: no path set', '/home/u/.stigmer/bin/temporal (found)']);
    expect(sourceLabel(programSource(home, STACK)!)).toBe('Found: /home/u/.stigmer/bin/temporal');
    const settings = found(['Settings: /opt/t (found)']);
    expect(sourceLabel(programSource(settings, STACK)!)).toBe('found');
    const windows = found(['Settings: no path set', 'C:\\Stigmer\\bin\\temporal.exe (found)']);
    expect(programSource(windows, STACK)).toEqual({
      kind: 'default-folder',
      path: 'C:\\Stigmer\\bin\\temporal.exe',
    });
  });

  it('has no source for a program that is not installed, or a trail it cannot read', () => {
    expect(programSource(found(['stack.yaml: /x (found)'], 'not-installed'), STACK)).toBeNull();
    expect(programSource(found(['something else entirely']), STACK)).toBeNull();
    expect(programSource(found(['other.yaml: /x (found)']), STACK)).toBeNull();
  });
});

describe('settingsProblem', () => {
  it('gives the Settings path that was refused and why', () => {
    const service = found(['Settings: /opt/tmprl (not found)', 'PATH: (empty)'], 'not-installed');
    expect(settingsProblem(service)).toEqual({ path: '/opt/tmprl', reason: 'not found' });
    const dir = found(['Settings: /opt (directory without package.json)'], 'not-installed');
    expect(settingsProblem(dir)?.reason).toBe('directory without package.json');
  });

  it('is null when the Settings path was found or none was set', () => {
    expect(settingsProblem(found(['Settings: /opt/t (found)']))).toBeNull();
    expect(settingsProblem(found(['Settings: no path set']))).toBeNull();
  });
});
