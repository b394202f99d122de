/* Test helper: a WebSocket client built by hand on raw TCP, so tests can send what no library would. */
import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';

/** One frame as a test wants it on the wire, including the parts a correct client never sets. */
export interface RawFrame {
  fin?: boolean;
  /** Bits RSV1..RSV3 as a number 0..7. */
  rsv?: number;
  opcode: number;
  payload?: Buffer;
  /** Unmasked frames are a protocol violation from a client. */
  mask?: boolean;
  /** Claim a length other than the payload's (a lying header). */
  declaredLength?: number;
}

/** Encode a frame exactly as described, whether or not it is legal. */
export function encodeFrame(frame: RawFrame): Buffer {
  const payload = frame.payload ?? Buffer.alloc(0);
  const length = frame.declaredLength ?? payload.length;
  const mask = frame.mask ?? true;
  const head: number[] = [
    ((frame.fin ?? true) ? 0x80 : 0) | ((frame.rsv ?? 0) << 4) | frame.opcode,
  ];
  let ext = Buffer.alloc(0);
  if (length < 126) head.push((mask ? 0x80 : 0) | length);
  else if (length < 65536) {
    head.push((mask ? 0x80 : 0) | 126);
    ext = Buffer.alloc(2);
    ext.writeUInt16BE(length);
  } else {
    head.push((mask ? 0x80 : 0) | 127);
    ext = Buffer.alloc(8);
    ext.writeBigUInt64BE(BigInt(length));
  }
  if (!mask) return Buffer.concat([Buffer.from(head), ext, payload]);
  const key = randomBytes(4);
  const masked = Buffer.from(payload);
  for (let i = 0; i < masked.length; i++) masked[i]! ^= key[i % 4]!;
  return Buffer.concat([Buffer.from(head), ext, key, masked]);
}

/** A masked text frame holding `text`. */
export const textFrame = (text: string): Buffer =>
  encodeFrame({ opcode: 1, payload: Buffer.from(text, 'utf8') });

/** What the server sent back on one raw connection. */
export interface RawConnection {
  socket: Socket;
  /** The HTTP status line's code of the handshake answer ('101' when upgraded). */
  status: string;
  /** Text frames received, in order. */
  texts: string[];
  /** The code of the server's close frame, once one arrived. */
  closeCode: number | null;
  closeReason: string;
  /** Resolves when the TCP connection is gone (closed by either side, or reset). */
  ended: Promise<void>;
  /** Resolves once `done()` holds (checked on every frame) or the connection is gone. */
  until(done: () => boolean): Promise<void>;
}

/** Parse the server's (unmasked) frames as they arrive. */
function frameReader(conn: RawConnection, onChange: () => void): (chunk: Buffer) => void {
  let buf = Buffer.alloc(0);
  return (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      if (buf.length < 2) return;
      const opcode = buf[0]! & 0x0f;
      let len = buf[1]! & 0x7f;
      let off = 2;
      if (len === 126) {
        if (buf.length < 4) return;
        len = buf.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (buf.length < 10) return;
        len = Number(buf.readBigUInt64BE(2));
        off = 10;
      }
      if (buf.length < off + len) return;
      const payload = buf.subarray(off, off + len);
      if (opcode === 1) conn.texts.push(payload.toString('utf8'));
      if (opcode === 8) {
        conn.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        conn.closeReason = payload.subarray(2).toString('utf8');
      }
      buf = buf.subarray(off + len);
      onChange();
    }
  };
}

/**
 * Open a TCP connection and send an upgrade request with the given path and headers (raw, so a
 * test can omit or forge any of them). Resolves once the handshake answer or the end arrived.
 */
export function rawUpgrade(
  port: number,
  path: string,
  headers: Record<string, string>,
): Promise<RawConnection> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  socket.setNoDelay(true);
  const waiters: (() => void)[] = [];
  const notify = (): void => waiters.splice(0).forEach((w) => w());
  const conn: RawConnection = {
    socket,
    status: '',
    texts: [],
    closeCode: null,
    closeReason: '',
    ended: new Promise((resolve) => socket.once('close', () => resolve())),
    until(done) {
      return new Promise((resolve) => {
        const check = (): void => {
          if (done() || socket.destroyed) resolve();
          else waiters.push(check);
        };
        check();
      });
    },
  };
  socket.once('close', notify);
  const lines = [`GET ${path} HTTP/1.1`, 'Upgrade: websocket', 'Connection: Upgrade'];
  lines.push(
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
    'Sec-WebSocket-Version: 13',
  );
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  return new Promise((resolve) => {
    let head = Buffer.alloc(0);
    const read = frameReader(conn, notify);
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      conn.status = head.subarray(0, end).toString('latin1').split(' ')[1] ?? '';
      socket.on('data', read);
      read(head.subarray(end + 4));
      resolve(conn);
    };
    socket.on('data', onData);
    socket.once('close', () => resolve(conn));
  });
}

/** Headers of an authenticated upgrade for the host on `port`. */
export function goodHeaders(port: number): Record<string, string> {
  return { Host: `127.0.0.1:${port}`, Origin: `http://127.0.0.1:${port}` };
}

/** A small seeded PRNG (mulberry32): the same seed replays the same cases. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
