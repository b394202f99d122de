// Holds a TCP port (argv[2]) on 127.0.0.1 until killed, so a test can meet a taken port.
import { createServer } from 'node:net';

createServer().listen(Number(process.argv[2]), '127.0.0.1', () =>
  process.stdout.write('listening\n'),
);
