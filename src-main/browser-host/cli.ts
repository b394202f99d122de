import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBrowserHost } from './run';
import { startBenchEld } from './bench-eld';

const here = dirname(fileURLToPath(import.meta.url));

async function main(): Promise<void> {
  startBenchEld(process.env.STIGMER_LOCAL_BENCH_ELD);
  let quit = (): void => undefined;
  const run = await runBrowserHost(
    process.argv.slice(2),
    { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) },
    {
      rendererDir: resolve(here, '../renderer'),
      cliScript: resolve(here, 'cli.js'),
      onQuit: () => quit(),
    },
  );
  if (run.kind === 'exit') {
    process.exitCode = run.code;
    return;
  }
  // If the process ends any other way, the data dir must not stay locked by a dead pid.
  process.on('exit', () => run.releaseSync());
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`Received ${signal}: stopping the stack…\n`);
    await run.stop();
    process.exit(0);
  };
  quit = () => void stop('a quit request from stigmer-local');
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  await run.started;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
