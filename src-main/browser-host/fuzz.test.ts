import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { randomBytes } from 'node:crypto';
import { encodeFrame, goodHeaders, mulberry32, rawUpgrade, textFrame } from './raw-ws-client';
import { askFresh, startTestHost, type TestHost } from './test-host';
import { fuzzFrame, fuzzMessage, type FuzzMessage } from './fuzz-cases';

/*
 * Frame-level fuzz of the real browser host over a real core, in-process, so a crash shows up
 * as an 'uncaughtException' or 'unhandledRejection' here. Replay a run with FUZZ_SEED=<seed>.
 */
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 32));
const rand = mulberry32(SEED);
console.log(`browser-host fuzz seed ${SEED} (replay with FUZZ_SEED=${SEED})`);

let t: TestHost;
const crashes: unknown[] = [];
const onCrash = (error: unknown): void => void crashes.push(error);
let cases = 0;
/** Room for a batch on a loaded 2-core machine (each takes 1-7 s alone). */
const BATCH_TIMEOUT = 60_000;

beforeAll(async () => {
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  t = await startTestHost();
});

afterAll(async () => {
  console.log(`browser-host fuzz seed ${SEED}: ${cases} cases`);
  await t?.stop();
  process.off('uncaughtException', onCrash);
  process.off('unhandledRejection', onCrash);
});

const ipcPath = (token: string): string => `/ipc?token=${encodeURIComponent(token)}`;
const authed = () => rawUpgrade(t.host.port, ipcPath(t.host.token), goodHeaders(t.host.port));

/** After every batch: nothing escaped, a fresh window gets a snapshot, no token was logged. */
async function assertAlive(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  expect(crashes).toEqual([]);
  expect(t.internalErrors).toEqual([]);
  expect(await askFresh(t.host, 'stack:snapshot')).toMatchObject({
    ok: true,
    value: { services: expect.any(Array) },
  });
  expect(t.logged.join('\n')).not.toContain(t.host.token);
}

/** Run `count` async cases, `width` at a time. */
async function inParallel(count: number, width: number, run: (i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < count) await run(next++);
    }),
  );
}

describe(`browser host fuzz (seed ${SEED})`, () => {
  it(
    'survives upgrades that are reset before, during and after the answer',
    async () => {
      const port = t.host.port;
      await inParallel(400, 8, async (i) => {
        cases++;
        const variant = i % 5;
        const token = variant === 3 ? t.host.token : 'wrong-token';
        const headers =
          variant === 4
            ? { ...goodHeaders(port), Origin: 'http://evil.example' }
            : goodHeaders(port);
        if (variant <= 1) {
          // Reset right after (0) or halfway through (1) the request, before any answer.
          const socket = connect(port, '127.0.0.1');
          socket.on('error', () => undefined);
          await new Promise((resolve) => socket.once('connect', resolve));
          const request = `GET ${ipcPath(token)} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n\r\n`;
          socket.write(
            variant === 0 ? request : request.slice(0, Math.floor(rand() * request.length)),
          );
          socket.resetAndDestroy();
          await new Promise((resolve) => socket.once('close', resolve));
          return;
        }
        const conn = await rawUpgrade(port, ipcPath(token), headers);
        expect(conn.status).toBe(variant === 3 ? '101' : '403');
        if (variant === 3 && rand() < 0.5)
          conn.socket.write(textFrame('{"id":1,"channel":"app:info"}'));
        conn.socket.resetAndDestroy();
        await conn.ended;
      });
      await assertAlive();
      expect(t.host.stats().refusals.forbidden).toBeGreaterThan(0);
    },
    BATCH_TIMEOUT,
  );

  const violations: [string, () => Buffer, number][] = [
    [
      'a frame over the payload limit (declared)',
      () => encodeFrame({ opcode: 1, declaredLength: 2 ** 40 }),
      1009,
    ],
    [
      'a frame over the payload limit (sent)',
      () => encodeFrame({ opcode: 2, payload: Buffer.alloc(1024 * 1024 + 1) }),
      1009,
    ],
    [
      'invalid UTF-8',
      () => encodeFrame({ opcode: 1, payload: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) }),
      1007,
    ],
    [
      'an unmasked frame',
      () => encodeFrame({ opcode: 1, payload: Buffer.from('{}'), mask: false }),
      1002,
    ],
    ['a reserved data opcode', () => encodeFrame({ opcode: 3, payload: Buffer.from('x') }), 1002],
    ['a reserved control opcode', () => encodeFrame({ opcode: 0xb }), 1002],
    [
      'an invalid close code',
      () => encodeFrame({ opcode: 8, payload: Buffer.from([0x03, 0xed]) }),
      1002,
    ],
    [
      'a one-byte close payload',
      () => encodeFrame({ opcode: 8, payload: Buffer.from([0x03]) }),
      1002,
    ],
    ['a fragmented control frame', () => encodeFrame({ opcode: 9, fin: false }), 1002],
    [
      'a control frame over 125 bytes',
      () => encodeFrame({ opcode: 9, payload: Buffer.alloc(126) }),
      1002,
    ],
    [
      'RSV1 without an extension',
      () => encodeFrame({ opcode: 1, rsv: 4, payload: Buffer.from('{}') }),
      1002,
    ],
    [
      'a continuation with nothing to continue',
      () => encodeFrame({ opcode: 0, payload: Buffer.from('x') }),
      1002,
    ],
    ['the JSON text null', () => textFrame('null'), 1007],
    ['a binary frame', () => encodeFrame({ opcode: 2, payload: Buffer.from('{"id":1}') }), 1003],
    ['text that is not JSON', () => textFrame('{"id":1,'), 1007],
    ['a request whose id is a string', () => textFrame('{"id":"1","channel":"app:info"}'), 1007],
  ];

  it.each(violations)(
    'closes the socket with a code on %s, and stays up',
    async (_name, frame, code) => {
      for (let rep = 0; rep < 12; rep++) {
        cases++;
        const conn = await authed();
        expect(conn.status).toBe('101');
        conn.socket.write(frame());
        await conn.until(() => conn.closeCode !== null);
        expect(conn.closeCode).toBe(code);
        conn.socket.destroy();
      }
      await assertAlive();
    },
  );

  it('answers hostile channels (a 5,000-deep array, a huge string) with unknown-channel', async () => {
    const deep = `${'['.repeat(5000)}"x"${']'.repeat(5000)}`;
    const texts = [
      `{"id":7,"channel":${deep}}`,
      `{"id":7,"channel":"${'a'.repeat(900_000)}"}`,
      `{"id":7,"channel":"services:\\u0000\\n"}`,
      `{"id":7,"channel":{"toString":1}}`,
    ];
    for (const text of texts) {
      cases++;
      const conn = await authed();
      conn.socket.write(textFrame(text));
      await conn.until(() => conn.texts.length > 0);
      const reply = JSON.parse(conn.texts[0]!) as {
        id: number;
        result: { error: { message: string } };
      };
      expect(reply).toMatchObject({
        id: 7,
        result: { ok: false, error: { code: 'unknown-channel' } },
      });
      expect(reply.result.error.message.length).toBeLessThan(200);
      conn.socket.destroy();
    }
    await assertAlive();
  });

  it(
    'survives thousands of random frames, with every connection ending',
    async () => {
      await inParallel(160, 4, async () => {
        const conn = await authed();
        const count = 1 + Math.floor(rand() * 25);
        for (let i = 0; i < count; i++) {
          cases++;
          conn.socket.write(fuzzFrame(rand));
        }
        conn.socket.write(textFrame('{"id":1,"channel":"app:info"}'));
        if (rand() < 0.2) conn.socket.resetAndDestroy();
        else conn.socket.end();
        await conn.ended;
      });
      await assertAlive();
    },
    BATCH_TIMEOUT,
  );

  it(
    'gives every random JSON message an answer or a closed socket',
    async () => {
      let nextId = 1;
      await inParallel(120, 4, async () => {
        const conn = await authed();
        const messages: FuzzMessage[] = [];
        const count = 5 + Math.floor(rand() * 25);
        for (let i = 0; i < count; i++) messages.push(fuzzMessage(rand, nextId++));
        // A message that is not a request closes the socket, so at most one, last.
        const requests = messages.filter((m) => m.id !== null);
        const terminal = messages.find((m) => m.id === null);
        for (const m of [...requests, ...(terminal ? [terminal] : [])]) conn.socket.write(m.frame);
        cases += requests.length + (terminal ? 1 : 0);
        const answered = () => conn.texts.length >= requests.length;
        await conn.until(() => conn.closeCode !== null || (!terminal && answered()));
        const replies = new Map<number, { ok: boolean; error?: { message: string } }>();
        for (const text of conn.texts) {
          const msg = JSON.parse(text) as {
            id: number;
            result: { ok: boolean; error?: { message: string } };
          };
          replies.set(msg.id, msg.result);
        }
        for (const m of requests) {
          const result = replies.get(m.id!);
          if (!result) {
            // No answer is only allowed when the socket was closed with a reason.
            expect([1007, 1003, 1008, 1009]).toContain(conn.closeCode);
            continue;
          }
          if (!m.mayPass) expect(result.ok).toBe(false);
          if (!result.ok) expect(result.error!.message.length).toBeLessThan(2000);
        }
        if (terminal && conn.closeCode !== null)
          expect([1003, 1007, 1008, 1009]).toContain(conn.closeCode);
        conn.socket.destroy();
      });
      await assertAlive();
    },
    BATCH_TIMEOUT,
  );

  it(
    'survives raw bytes and malformed handshakes on the HTTP port',
    async () => {
      const port = t.host.port;
      await inParallel(300, 8, async (i) => {
        cases++;
        if (i % 3 === 0) {
          // A handshake with a good token but a broken key or version: a plain 400.
          const conn = await rawUpgrade(port, ipcPath(t.host.token), {
            ...goodHeaders(port),
            'Sec-WebSocket-Key': i % 2 ? 'short' : '',
          });
          expect(conn.status).toBe('400');
          conn.socket.destroy();
          return;
        }
        const socket = connect(port, '127.0.0.1');
        socket.on('error', () => undefined);
        socket.resume(); // read the answer, so the end of the connection is seen
        const closed = new Promise((resolve) => socket.once('close', resolve));
        socket.write(randomBytes(1 + Math.floor(rand() * 2000)));
        if (rand() < 0.5) socket.resetAndDestroy();
        else socket.end();
        await closed;
      });
      await assertAlive();
      // The refusal log stayed bounded however many requests were refused.
      expect(t.logged.length).toBeLessThan(200);
    },
    BATCH_TIMEOUT,
  );
});
