import type {
  RotationResult,
  SecretSetResult,
  SecretsSnapshot,
} from '../../../src-shared/model/secret';
import { readSecret, type SecretInput } from '../prompt';
import { EXIT, UsageError, valueOf, type CommandContext } from '../context';
import { ago, json, paint, table } from '../output';

const NAME = /^[A-Z][A-Z0-9_]{0,127}$/;

/** The `--json` shape of the key list: names, sources, fingerprints; never a value. */
function keysJson(snap: SecretsSnapshot): unknown {
  return {
    keychain: snap.keychain,
    needed: snap.needed,
    keys: snap.keys.map((k) => ({
      name: k.name,
      required: k.required,
      set: k.set,
      source: k.source,
      fingerprint: k.fingerprint,
      remembered: k.remembered,
      updatedAt: k.updatedAt,
      usedBy: snap.consumers[k.name] ?? [],
    })),
  };
}

function printKeys(ctx: CommandContext, snap: SecretsSnapshot): void {
  if (ctx.args.json) return ctx.out.out(json(keysJson(snap)));
  const rows = snap.keys.map((k) => [
    k.name,
    k.set ? paint(ctx.out, 'green', 'set') : paint(ctx.out, k.required ? 'red' : 'dim', 'not set'),
    k.source ?? '-',
    k.fingerprint ?? '-',
    ago(k.updatedAt),
    (snap.consumers[k.name] ?? []).join(', ') || '-',
  ]);
  ctx.out.out(
    table(['KEY', 'STATE', 'SOURCE', 'FINGERPRINT', 'UPDATED', 'USED BY'], rows, ctx.out),
  );
  const chain = snap.keychain.available
    ? `Keychain: ${snap.keychain.backend}.`
    : (snap.keychain.reason ?? 'No keychain: keys are kept for this session only.');
  ctx.out.out(`\n${chain}\n`);
}

/**
 * `keys`, `keys set NAME`, `keys rotate NAME`, `keys lock`. A value is read from a masked prompt
 * or standard input, never from argv: an extra argument is refused before anything is sent.
 */
export async function keysCommand(ctx: CommandContext, input: SecretInput): Promise<number> {
  const [verb = 'list', name, ...extra] = ctx.args.positionals;
  if (verb === 'set' || verb === 'rotate') {
    if (extra.length) {
      throw new UsageError(
        `keys ${verb} takes only the key's name. A key on the command line would be kept in your shell history and visible to other programs; run stigmer-local keys ${verb} ${name ?? 'NAME'} and type it at the prompt, or pipe it: printf %s "$KEY" | stigmer-local keys ${verb} ${name ?? 'NAME'}`,
      );
    }
    if (!name || !NAME.test(name)) {
      throw new UsageError(`keys ${verb} needs a key name like ANTHROPIC_API_KEY.`);
    }
  } else if (name !== undefined) {
    throw new UsageError(`keys ${verb} takes no further arguments.`);
  }
  const client = await ctx.connect();
  try {
    const snap = valueOf(await client.call<SecretsSnapshot>('secrets:snapshot'));
    if (verb === 'list') {
      printKeys(ctx, snap);
      return EXIT.ok;
    }
    if (verb === 'lock') {
      printKeys(ctx, valueOf(await client.call<SecretsSnapshot>('secrets:lock')));
      if (!ctx.args.json)
        ctx.out.err('Keys locked: services that need them stop until a key is entered again.\n');
      return EXIT.ok;
    }
    if (verb !== 'set' && verb !== 'rotate') {
      throw new UsageError(
        `Unknown keys command "${verb}". Use keys, keys set NAME, keys rotate NAME or keys lock.`,
      );
    }
    const value = await readSecret(`${name} (input hidden): `, input);
    if (!value) throw new UsageError('No key was given; nothing was changed.');
    const entry = { name, value, remember: snap.keychain.available, requireTouchId: false };
    if (verb === 'set') {
      const result = valueOf(await client.call<SecretSetResult>('secrets:set', entry));
      printKeys(ctx, result);
      if (result.notice && !ctx.args.json) ctx.out.err(`${result.notice}\n`);
      return EXIT.ok;
    }
    const result = valueOf(await client.call<RotationResult>('secrets:rotate', entry));
    if (ctx.args.json)
      ctx.out.out(
        json({ outcome: result.outcome, services: result.services, message: result.message }),
      );
    else ctx.out.out(`${result.message}\n`);
    return result.outcome === 'rotated' ? EXIT.ok : EXIT.failed;
  } finally {
    client.close();
  }
}
