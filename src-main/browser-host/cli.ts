import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createAppCore } from '../core/app-core';
import { startBrowserHost } from './server';

const here = dirname(fileURLToPath(import.meta.url));

function defaultUserDataDir(): string {
  const home = homedir();
  if (process.platform === 'darwin') return join(home, 'Library/Application Support/Stigmer Local');
  if (process.platform === 'win32')
    return join(process.env.APPDATA ?? join(home, 'AppData/Roaming'), 'Stigmer Local');
  return join(process.env.XDG_CONFIG_HOME ?? join(home, '.config'), 'Stigmer Local');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      'user-data-dir': { type: 'string' },
      'log-dir': { type: 'string' },
      'start-stack': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      'Usage: node dist/main/browser-host.js [--port N] [--user-data-dir DIR] [--log-dir DIR] [--start-stack]\n' +
        'Runs the Stigmer Local core and serves its window on http://127.0.0.1 (open the printed URL).\n',
    );
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(
      `--port must be a number from 0 to 65535 (0 picks a free one); got "${values.port}".`,
    );
  }
  const userDataDir = resolve(values['user-data-dir'] ?? defaultUserDataDir());
  const core = await createAppCore({
    userDataDir,
    logDir: resolve(values['log-dir'] ?? join(userDataDir, 'logs')),
    env: process.env,
    host: 'browser',
    version: process.env.npm_package_version ?? '0.1.0',
    nodeExecutable: process.execPath,
    nodeEnv: {},
    homeDir: homedir(),
  });
  const host = await startBrowserHost({
    core,
    rendererDir: resolve(here, '../renderer'),
    port,
    onInternalError: (channel, error) => console.error(`[browser-host] ${channel}:`, error),
  });
  process.stdout.write(`Stigmer Local is running. Open this URL in a browser:\n${host.url}\n`);

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`Received ${signal}: stopping the stack…\n`);
    await host.close();
    await core.shutdown();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  if (values['start-stack'])
    await core.startStack('cli').catch((e: Error) => console.error(e.message));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
