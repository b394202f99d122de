/* Test helper: random frames and random JSON messages for the browser host's fuzz test. */
import { INVOKE_CHANNELS } from '../../src-shared/ipc/contract';
import { encodeFrame, textFrame } from './raw-ws-client';

type Rand = () => number;

const int = (rand: Rand, n: number): number => Math.floor(rand() * n);
const pick = <T>(rand: Rand, items: readonly T[]): T => items[int(rand, items.length)]!;

/** Channels that only read: a fuzz case may call them with any arguments. */
const READ_ONLY = [
  'app:info',
  'stack:snapshot',
  'logs:tail',
  'audit:list',
  'audit:verify',
  'settings:get',
  'secrets:snapshot',
];

/** A random frame: any opcode, flags, mask, length (sometimes a lie), payload. */
export function fuzzFrame(rand: Rand): Buffer {
  const sizes = [0, 1, 2, 5, 125, 126, 127, 200, 65535, 65536, 70000];
  const size = rand() < 0.6 ? int(rand, 40) : pick(rand, sizes);
  const payload =
    rand() < 0.5
      ? Buffer.from(randomJson(rand, 3).slice(0, Math.max(size, 2)), 'utf8')
      : Buffer.from(Array.from({ length: size }, () => int(rand, 256)));
  const lie = rand() < 0.1;
  return encodeFrame({
    opcode: rand() < 0.6 ? pick(rand, [1, 1, 1, 2, 0, 8, 9, 10]) : int(rand, 16),
    fin: rand() < 0.85,
    rsv: rand() < 0.1 ? int(rand, 8) : 0,
    mask: rand() < 0.9,
    payload,
    declaredLength: lie ? pick(rand, [0, 1, 126, 65536, 2 ** 20 + 1, 2 ** 32, 2 ** 50]) : undefined,
  });
}

const STRINGS = [
  '',
  'a',
  'app:info',
  '\u0000',
  '\n\r\t',
  '\ud83d\ude00',
  '"quoted"',
  '\\',
  '__proto__',
];

function randomString(rand: Rand): string {
  const r = rand();
  if (r < 0.4) return pick(rand, STRINGS);
  if (r < 0.95) {
    return Array.from({ length: int(rand, 40) }, () => String.fromCharCode(int(rand, 0x3000))).join(
      '',
    );
  }
  return 'x'.repeat(int(rand, 200_000)); // large, still under the 1 MB frame limit
}

/** Random JSON text (built as text so nesting can be deeper than JSON.stringify could go). */
export function randomJson(rand: Rand, depth: number): string {
  const r = rand();
  if (depth <= 0 || r < 0.35) {
    return pick(rand, [
      () => 'null',
      () => 'true',
      () => String(int(rand, 2 ** 31) * (rand() < 0.5 ? -1 : 1)),
      () => pick(rand, ['1.5', '-0', '1e308', '9007199254740993', '0.000001']),
      () => JSON.stringify(randomString(rand)),
    ])();
  }
  if (r < 0.45) {
    const d = pick(rand, [50, 1000, 5000, 20_000]);
    return `${'['.repeat(d)}${']'.repeat(d)}`;
  }
  if (r < 0.7) {
    return `[${Array.from({ length: int(rand, 5) }, () => randomJson(rand, depth - 1)).join(',')}]`;
  }
  const keys = Array.from({ length: int(rand, 5) }, () =>
    rand() < 0.3
      ? pick(rand, ['name', 'limit', 'service', 'value', '__proto__'])
      : randomString(rand),
  );
  return `{${keys.map((k) => `${JSON.stringify(k.slice(0, 1000))}:${randomJson(rand, depth - 1)}`).join(',')}}`;
}

/** One message for the fuzz: its frame, the id a reply must carry (null: not a request). */
export interface FuzzMessage {
  frame: Buffer;
  id: number | null;
  /** May succeed: a read-only channel (any other call must be refused). */
  mayPass: boolean;
}

/** Not a request: the host must close the socket with a reason. */
function notARequest(rand: Rand): Buffer {
  const bad = [
    'null',
    '42',
    '"a string"',
    '[]',
    `${'['.repeat(5000)}${']'.repeat(5000)}`,
    '{"channel":"app:info"}',
    '{"id":"1","channel":"app:info"}',
    '{"id":1.5,"channel":"app:info"}',
    '{"id":9007199254740993,"channel":"app:info"}',
    '{"id":null}',
    '{"id":[1]}',
    '{"id":{"valueOf":1}}',
    '{"id":1,',
    'NaN',
    '\u0000',
  ];
  if (rand() < 0.1) return encodeFrame({ opcode: 2, payload: Buffer.from('{"id":1}') });
  return textFrame(pick(rand, bad));
}

/** A random request (a plain object with a safe-integer id) or, sometimes, something that is not one. */
export function fuzzMessage(rand: Rand, id: number): FuzzMessage {
  if (rand() < 0.12) return { frame: notARequest(rand), id: null, mayPass: false };
  const r = rand();
  let channel: string | undefined;
  let args: string | undefined;
  let mayPass = false;
  if (r < 0.35) {
    channel = JSON.stringify(pick(rand, READ_ONLY));
    args = rand() < 0.5 ? undefined : randomJson(rand, 3);
    mayPass = true;
  } else if (r < 0.55) {
    // A channel that changes things, with arguments no schema accepts (never an object).
    channel = JSON.stringify(
      pick(
        rand,
        INVOKE_CHANNELS.filter((c) => !READ_ONLY.includes(c)),
      ),
    );
    args = pick(rand, ['0', '"x"', 'true', 'null', '[]', '[{"name":"agent-runner"}]']);
  } else if (r < 0.7) {
    channel = JSON.stringify(
      `${pick(rand, ['zz', 'shell', 'secrets'])}:${pick(rand, ['exec', 'get', 'dump'])}`,
    );
    args = randomJson(rand, 2);
  } else {
    channel = rand() < 0.1 ? undefined : randomJson(rand, 4);
    args = rand() < 0.5 ? undefined : randomJson(rand, 3);
    mayPass = READ_ONLY.some((c) => channel === JSON.stringify(c));
  }
  const fields = [`"id":${id}`];
  if (channel !== undefined) fields.push(`"channel":${channel}`);
  if (args !== undefined) fields.push(`"args":${args}`);
  if (rand() < 0.2)
    fields.push(`${JSON.stringify(randomString(rand).slice(0, 100))}:${randomJson(rand, 2)}`);
  fields.sort(() => rand() - 0.5);
  return { frame: textFrame(`{${fields.join(',')}}`), id, mayPass };
}
