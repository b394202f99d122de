import { z } from 'zod';
import { parseDuration } from './durations';
import { validRange } from 'semver';
import { parseHostPort } from './host-port';

/** Service names: lowercase letters, digits and dashes, at most 63 characters. */
export const SERVICE_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Names of secret keys a service may receive. */
export const KEY_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Signals a `stop: { signal }` may name. */
export const STOP_SIGNALS = [
  'SIGTERM',
  'SIGINT',
  'SIGHUP',
  'SIGQUIT',
  'SIGUSR1',
  'SIGUSR2',
] as const;

/** What the error formatter says each union expects; also the keys that pick a union branch. */
export const UNIONS = {
  readiness: {
    expected: 'one of {tcp: port}, {log: regex}, {http: url} or "none"',
    branches: [null, 'tcp', 'log', 'http'],
  },
  stop: {
    expected: 'one of {signal: SIGTERM|SIGINT|...} or {stdin: message | null}',
    branches: ['signal', 'stdin'],
  },
  key: { expected: 'a key name or {name, required}', branches: [null, 'name'] },
} as const;

const DURATION_HINT = 'a duration: milliseconds (e.g. 500) or a string like "500ms", "30s", "2m"';

const duration = z
  .union([z.number(), z.string()], { error: `expected ${DURATION_HINT}` })
  .transform((value, ctx) => {
    const ms = parseDuration(value);
    if (ms === null) {
      ctx.issues.push({ code: 'custom', message: `expected ${DURATION_HINT}`, input: value });
      return z.NEVER;
    }
    return ms;
  });

const PORT_HINT = 'expected a port number between 1 and 65535';
const port = z
  .number({ error: PORT_HINT })
  .int({ error: PORT_HINT })
  .min(1, { error: PORT_HINT })
  .max(65535, { error: PORT_HINT });

const text = (what: string) => z.string({ error: `expected ${what} (a string)` });
const nonEmpty = (what: string) =>
  text(what).min(1, { error: `expected ${what} (a non-empty string)` });

const regex = nonEmpty('a regular expression').superRefine((value, ctx) => {
  try {
    new RegExp(value);
  } catch (error) {
    ctx.addIssue({
      code: 'custom',
      message: `invalid regular expression (${(error as Error).message}); write a JavaScript regex such as "Listening on \\\\d+"`,
    });
  }
});

const httpUrl = nonEmpty('an http:// or https:// URL').refine(
  (value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol),
  { error: 'expected an http:// or https:// URL' },
);

const readiness = z.union(
  [
    z.literal('none'),
    z.strictObject({
      tcp: port,
      host: nonEmpty('a host name').optional(),
      timeout: duration.optional(),
    }),
    z.strictObject({
      log: regex,
      stream: z
        .enum(['stdout', 'stderr', 'any'], { error: 'expected stdout, stderr or any' })
        .optional(),
      timeout: duration.optional(),
    }),
    z.strictObject({ http: httpUrl, timeout: duration.optional() }),
  ],
  { error: `expected ${UNIONS.readiness.expected}` },
);

const restart = z.strictObject(
  {
    policy: z.enum(['on-failure', 'always', 'never'], {
      error: 'expected on-failure, always or never',
    }),
    backoff: duration.optional(),
    max_backoff: duration.optional(),
    crash_loop: z
      .strictObject(
        {
          count: z
            .number({ error: 'expected a whole number of crashes (at least 1)' })
            .int({ error: 'expected a whole number of crashes (at least 1)' })
            .min(1, { error: 'expected a whole number of crashes (at least 1)' }),
          window: duration,
        },
        { error: 'expected {count: number, window: duration}' },
      )
      .optional(),
  },
  { error: 'expected {policy: on-failure|always|never, backoff?, max_backoff?, crash_loop?}' },
);

const stop = z.union(
  [
    z.strictObject({
      signal: z.enum(STOP_SIGNALS, { error: `expected one of ${STOP_SIGNALS.join(', ')}` }),
      grace: duration.optional(),
    }),
    z.strictObject({
      stdin: z.union([z.string(), z.null()], {
        error: 'expected a message string, or null to just close stdin',
      }),
      grace: duration.optional(),
    }),
  ],
  { error: `expected ${UNIONS.stop.expected}` },
);

const keyName = text('a key name').regex(KEY_NAME_PATTERN, {
  error: 'expected an environment variable name such as ANTHROPIC_API_KEY',
});

const key = z.union(
  [
    keyName,
    z.strictObject({
      name: keyName,
      required: z.boolean({ error: 'expected true or false' }).optional(),
    }),
  ],
  { error: `expected ${UNIONS.key.expected}` },
);

const HOST_PORT_HINT = 'expected "host:port", e.g. "127.0.0.1:7233"';

/** `wait_for: { tcp: "host:port", label? }`; null removes a default's wait_for. */
const waitFor = z.union(
  [
    z.null(),
    z.strictObject({
      tcp: text('an address').transform((value, ctx) => {
        const parsed = parseHostPort(value);
        if (parsed === null) {
          ctx.issues.push({ code: 'custom', message: HOST_PORT_HINT, input: value });
          return z.NEVER;
        }
        return parsed;
      }),
      label: nonEmpty('a label').optional(),
    }),
  ],
  { error: 'expected {tcp: "host:port", label: "..."} or null' },
);

const RANGE_HINT = 'expected a Node version range as in engines.node, e.g. ">=22.13"';

/** `runtime: { node: ">=22.13" }`: the service is a Node program needing that Node. */
const runtime = z.strictObject(
  {
    node: nonEmpty('a Node version range').refine((value) => validRange(value) !== null, {
      error: RANGE_HINT,
    }),
  },
  { error: 'expected {node: ">=22.13"}' },
);

const stringList = (what: string) => z.array(text(what), { error: `expected a list of ${what}s` });

/** One service entry of the stack file (all fields optional: an override gives only what changes). */
export const serviceEntrySchema = z.strictObject(
  {
    enabled: z.boolean({ error: 'expected true or false' }).optional(),
    display_name: nonEmpty('a display name').optional(),
    command: nonEmpty('a command path').optional(),
    args: stringList('argument').optional(),
    cwd: nonEmpty('a directory').optional(),
    // null removes a variable inherited from the default service.
    env: z
      .record(
        z.string(),
        z.union([z.string(), z.null()], { error: 'expected a string (quote numbers) or null' }),
        {
          error: 'expected a map of NAME: value',
        },
      )
      .optional(),
    depends_on: stringList('service name').optional(),
    readiness: readiness.optional(),
    runtime: runtime.optional(),
    wait_for: waitFor.optional(),
    restart: restart.optional(),
    stop: stop.optional(),
    critical: z.boolean({ error: 'expected true or false' }).optional(),
    ports: z.array(port, { error: 'expected a list of port numbers' }).optional(),
    keys: z.array(key, { error: 'expected a list of key names or {name, required}' }).optional(),
  },
  { error: 'expected a map of service fields (command, args, env, readiness, ...)' },
);

/** The whole stack file. */
export const stackFileSchema = z.strictObject(
  {
    version: z.literal(1, { error: 'expected 1' }).optional(),
    services: z
      .record(z.string(), serviceEntrySchema, { error: 'expected a map of service name -> fields' })
      .optional(),
  },
  { error: 'expected a map with a "services:" key' },
);

/** A validated service entry, durations already in ms. */
export type ServiceEntry = z.output<typeof serviceEntrySchema>;

/** A validated stack file. */
export type StackFileConfig = z.output<typeof stackFileSchema>;

/** The fields each object in the file accepts, for "unknown field" advice. */
export const ALLOWED_FIELDS: Record<string, string[]> = {
  root: Object.keys(stackFileSchema.shape),
  service: Object.keys(serviceEntrySchema.shape),
  tcp: ['tcp', 'host', 'timeout'],
  log: ['log', 'stream', 'timeout'],
  http: ['http', 'timeout'],
  restart: Object.keys(restart.shape),
  crash_loop: ['count', 'window'],
  signal: ['signal', 'grace'],
  stdin: ['stdin', 'grace'],
  name: ['name', 'required'],
  runtime: ['node'],
  wait_for: ['tcp', 'label'],
};
