import type { Handlers } from '../../../src-shared/ipc/handlers';
import type { SecretsSnapshot } from '../../../src-shared/model/secret';
import type { KeyImporter } from './key-importer';

/** The `secrets:import-scan` and `secrets:import` handlers over one importer (actor: window). */
export function keyImportHandlers(
  importer: KeyImporter,
  keys: () => SecretsSnapshot,
): Pick<Handlers, 'secrets:import-scan' | 'secrets:import'> {
  return {
    'secrets:import-scan': (args) => importer.scan(args),
    'secrets:import': async ({ ids, removeFromFile }) => ({
      outcomes: await importer.import(ids, removeFromFile, 'window'),
      keys: keys(),
    }),
  };
}
