import { AUDIT_TYPES, type AuditEntry, type VerifyResult } from '../../../src-shared/model/audit';
import { EXIT, UsageError, valueOf, type CommandContext } from '../context';
import { json, paint, table } from '../output';

/** `audit [--verify] [--type T[,T…]] [-n N] [--json]`: the journal, newest first; --verify checks the chain (exit 1 when broken). */
export async function auditCommand(ctx: CommandContext): Promise<number> {
  if (ctx.args.positionals.length)
    throw new UsageError('audit takes no names; filter with --type.');
  const types = ctx.args.type?.split(',').map((t) => t.trim()) ?? [];
  const bad = types.filter((t) => !(AUDIT_TYPES as readonly string[]).includes(t));
  if (bad.length) {
    throw new UsageError(`Unknown audit type ${bad.join(', ')}. Types: ${AUDIT_TYPES.join(', ')}.`);
  }
  const client = await ctx.connect();
  try {
    if (ctx.args.verify) {
      const result = valueOf(await client.call<VerifyResult>('audit:verify'));
      if (ctx.args.json) ctx.out.out(json(result));
      else if (result.ok) {
        ctx.out.out(
          `${paint(ctx.out, 'green', 'Intact')}: ${result.entries} entries, the hash chain checks out.\n`,
        );
      } else {
        ctx.out.out(
          `${paint(ctx.out, 'red', 'Broken')} at ${result.file} line ${result.line}${result.seq === null ? '' : ` (entry ${result.seq})`}: ${result.reason}\n`,
        );
      }
      return result.ok ? EXIT.ok : EXIT.failed;
    }
    const limit = ctx.args.lines ?? 50;
    const args = types.length ? { types, limit } : { limit };
    const { entries, total } = valueOf(
      await client.call<{ entries: AuditEntry[]; total: number }>('audit:list', args),
    );
    if (ctx.args.json) {
      ctx.out.out(json({ total, entries }));
      return EXIT.ok;
    }
    const rows = entries.map((e) => [
      String(e.seq),
      e.time.replace('T', ' ').slice(0, 19),
      e.type,
      e.actor,
      e.service ?? e.key ?? '-',
      e.outcome === 'failed' ? paint(ctx.out, 'red', e.outcome) : e.outcome,
      e.detail,
    ]);
    ctx.out.out(
      table(['SEQ', 'TIME (UTC)', 'TYPE', 'ACTOR', 'SUBJECT', 'OUTCOME', 'DETAIL'], rows, ctx.out),
    );
    if (total > entries.length) ctx.out.err(`(${entries.length} of ${total}; more with -n)\n`);
    return EXIT.ok;
  } finally {
    client.close();
  }
}
