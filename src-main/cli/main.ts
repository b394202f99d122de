#!/usr/bin/env node
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { cliSocketPath } from '../socket-host/socket-path';
import { defaultUserDataDir } from '../socket-host/user-data-dir';
import { NotRunningError, connectApp } from './client';
import { AppError, EXIT, UsageError, type CliArgs, type CommandContext } from './context';
import { PromptCancelled } from './prompt';
import { auditCommand } from './commands/audit';
import { keysCommand } from './commands/keys';
import { logsCommand } from './commands/logs';
import { diagnosticsCommand, openCommand } from './commands/misc';
import { servicesCommand } from './commands/services';
import { statusCommand } from './commands/status';
import { downCommand, upCommand } from './commands/up-down';
import type { Out } from './output';

const USAGE = `Usage: stigmer-local COMMAND [options]

  status [--json]                     the stack; exit 0 all ready, 1 not, 3 app not running
  start|stop|restart [SERVICE...]     and wait until ready/stopped or failed (--timeout S)
  logs [SERVICE] [-f] [-n N] [--level L] [--since 10m]
  audit [--verify] [--type T[,T]] [-n N] [--json]
  keys | keys set NAME | keys rotate NAME | keys lock
                                      set/rotate read the key masked, or from a pipe
  diagnostics [-o FILE]               a support bundle, keys redacted
  open                                show the window (or print the headless URL)
  up [--foreground] | down            run / stop Stigmer Local without a window

Options: --json, --no-color, --user-data-dir DIR (or STIGMER_LOCAL_USER_DATA_DIR)
`;

function parse(
  argv: string[],
): CliArgs & { help: boolean; noColor: boolean; userDataDir: string | null } {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      'no-color': { type: 'boolean', default: false },
      'user-data-dir': { type: 'string' },
      follow: { type: 'boolean', short: 'f', default: false },
      lines: { type: 'string', short: 'n' },
      level: { type: 'string' },
      since: { type: 'string' },
      verify: { type: 'boolean', default: false },
      type: { type: 'string' },
      output: { type: 'string', short: 'o' },
      foreground: { type: 'boolean', default: false },
      timeout: { type: 'string', default: '120' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const lines = values.lines === undefined ? null : Number(values.lines);
  if (lines !== null && (!Number.isInteger(lines) || lines < 1 || lines > 10_000)) {
    throw new UsageError(`-n takes a whole number from 1 to 10000; got "${values.lines}".`);
  }
  const timeoutSec = Number(values.timeout);
  if (!(timeoutSec > 0)) throw new UsageError(`--timeout takes seconds; got "${values.timeout}".`);
  const [command = 'help', ...rest] = positionals;
  return {
    command,
    positionals: rest,
    json: values.json,
    follow: values.follow,
    lines,
    level: values.level ?? null,
    since: values.since ?? null,
    verify: values.verify,
    type: values.type ?? null,
    output: values.output ?? null,
    foreground: values.foreground,
    timeoutSec,
    help: values.help,
    noColor: values['no-color'],
    userDataDir: values['user-data-dir'] ?? null,
  };
}

/** Run one command line; resolves to the exit code. Never prints a key: none is in argv or replies. */
export async function runCli(argv: string[], out: Out): Promise<number> {
  let args;
  try {
    args = parse(argv);
  } catch (error) {
    out.err(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return EXIT.usage;
  }
  if (args.help || args.command === 'help') {
    out.out(USAGE);
    return EXIT.ok;
  }
  const userDataDir = resolve(
    args.userDataDir ?? process.env.STIGMER_LOCAL_USER_DATA_DIR ?? defaultUserDataDir(),
  );
  const socketPath = cliSocketPath(userDataDir);
  const ctx: CommandContext = {
    args,
    out: { ...out, json: args.json, color: out.color && !args.noColor && !args.json },
    userDataDir,
    socketPath,
    connect: () => connectApp(socketPath),
  };
  const input = { stdin: process.stdin, echo: process.stderr };
  try {
    switch (args.command) {
      case 'status':
        return await statusCommand(ctx);
      case 'start':
      case 'stop':
      case 'restart':
        return await servicesCommand(ctx, args.command);
      case 'logs':
        return await logsCommand(ctx);
      case 'audit':
        return await auditCommand(ctx);
      case 'keys':
        return await keysCommand(ctx, input);
      case 'diagnostics':
        return await diagnosticsCommand(ctx);
      case 'open':
        return await openCommand(ctx);
      case 'up':
        return await upCommand(ctx, input);
      case 'down':
        return await downCommand(ctx);
      default:
        throw new UsageError(`Unknown command "${args.command}".`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      const unknown = error.message.startsWith('Unknown command');
      out.err(`${error.message}\n${unknown ? `\n${USAGE}` : 'See stigmer-local --help.\n'}`);
      return EXIT.usage;
    }
    if (error instanceof NotRunningError) {
      out.err(`${error.message}\n`);
      return EXIT.notRunning;
    }
    if (error instanceof AppError || error instanceof PromptCancelled) {
      out.err(`${error.message}\n`);
      return EXIT.failed;
    }
    out.err(
      `stigmer-local ${args.command} failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return EXIT.failed;
  }
}

// Colour only on a terminal, and never with NO_COLOR (https://no-color.org).
const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
runCli(process.argv.slice(2), {
  color,
  json: false,
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
}).then(
  (code) => {
    process.exitCode = code;
    // Open handles (a resumed stdin, a follow socket) must not keep a finished command alive;
    // exit once stdout has taken everything (pipes are asynchronous on Windows).
    process.stdout.write('', () => process.exit(code));
  },
  (error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(EXIT.failed);
  },
);
