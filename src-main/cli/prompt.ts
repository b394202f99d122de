/** Where a secret is read from: a terminal (masked) or a pipe. */
export interface SecretInput {
  stdin: NodeJS.ReadStream;
  /** Where the prompt and the mask go (stderr, so stdout stays clean for scripts). */
  echo: NodeJS.WriteStream;
}

/** The user pressed Ctrl-C or Ctrl-D at a masked prompt. */
export class PromptCancelled extends Error {
  constructor() {
    super('Cancelled; nothing was changed.');
    this.name = 'PromptCancelled';
  }
}

/**
 * Read a key without it ever reaching argv, the screen or a log: masked ('*' per character) in
 * raw mode on a terminal, the terminal restored on Enter, Ctrl-C and errors alike; from a pipe,
 * the first line of standard input. The value stays a local string in this process only.
 */
export function readSecret(label: string, io: SecretInput): Promise<string> {
  return io.stdin.isTTY ? readMasked(label, io) : readPiped(io.stdin);
}

function readPiped(stdin: NodeJS.ReadStream): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stdin.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // A key is at most 4 KB; a whole file piped in by mistake is refused, not sent.
      if (size > 64 * 1024) {
        stdin.destroy();
        reject(new Error('Standard input is over 64 KB; pipe only the key (one line).'));
        return;
      }
      chunks.push(chunk);
    });
    stdin.on('error', reject);
    stdin.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      resolve((text.split(/\r?\n/)[0] ?? '').trim());
    });
  });
}

function readMasked(label: string, { stdin, echo }: SecretInput): Promise<string> {
  return new Promise((resolve, reject) => {
    let value = '';
    const wasRaw = stdin.isRaw;
    const restore = (): void => {
      stdin.off('data', onData);
      stdin.setRawMode(wasRaw);
      stdin.pause();
      process.off('exit', restoreOnExit);
    };
    const restoreOnExit = (): void => {
      stdin.setRawMode(wasRaw);
    };
    const onData = (chunk: Buffer): void => {
      // A paste arrives wrapped in bracketed-paste markers; they are not part of the key.
      // eslint-disable-next-line no-control-regex
      const text = chunk.toString('utf8').replace(/\u001b\[20[01]~/g, '');
      for (const char of text) {
        const code = char.charCodeAt(0);
        if (char === '\r' || char === '\n') {
          restore();
          echo.write('\n');
          resolve(value.trim());
          return;
        }
        if (code === 3 || code === 4) {
          restore();
          echo.write('\n');
          reject(new PromptCancelled());
          return;
        }
        if (code === 127 || code === 8) {
          if (value.length > 0) {
            value = [...value].slice(0, -1).join('');
            echo.write('\b \b');
          }
        } else if (code >= 32) {
          value += char;
          echo.write('*');
        }
      }
    };
    echo.write(label);
    process.on('exit', restoreOnExit);
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}
