// An independent re-check of the audit journal's hash chain straight from the files, for the
// moments the host cannot answer (right after it was killed) and after it stopped. It follows
// the format of src-main/core/audit/canonical.ts and verify.ts.
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';

const FILE_RE = /^audit-(\d{4}-\d{2})\.jsonl(?:\.(\d+))?$/;
const FIELDS = [
  'seq',
  'time',
  'type',
  'actor',
  'service',
  'pid',
  'key',
  'fingerprint',
  'outcome',
  'detail',
  'prev',
];

function hashOf(entry) {
  const ordered = {};
  for (const field of FIELDS) ordered[field] = entry[field];
  return createHash('sha256')
    .update(entry.prev + JSON.stringify(ordered), 'utf8')
    .digest('hex');
}

/**
 * {ok, entries, tornTail} or {ok: false, file, line, reason}. An unterminated last line of the
 * last file is a torn tail (a kill -9 mid-write), which the next open sets aside: reported,
 * not a failure, unless `strict`.
 */
export async function verifyJournalFiles(dir, { strict = false } = {}) {
  const names = (await readdir(dir).catch(() => []))
    .map((name) => ({ name, m: FILE_RE.exec(name) }))
    .filter((f) => f.m)
    .sort((a, b) =>
      a.m[1] !== b.m[1] ? (a.m[1] < b.m[1] ? -1 : 1) : Number(a.m[2] ?? 0) - Number(b.m[2] ?? 0),
    )
    .map((f) => f.name);
  let prev = '0'.repeat(64);
  let seq = 1;
  let tornTail = false;
  for (const [fileIndex, file] of names.entries()) {
    const lines = (await readFile(join(dir, file), 'utf8')).split('\n');
    const tail = lines.pop();
    if (tail) {
      if (strict || fileIndex !== names.length - 1) {
        return { ok: false, file, line: lines.length + 1, reason: 'unterminated line' };
      }
      tornTail = true;
    }
    for (const [i, text] of lines.entries()) {
      const fail = (reason) => ({ ok: false, file, line: i + 1, reason });
      let entry;
      try {
        entry = JSON.parse(text);
      } catch {
        return fail('not JSON');
      }
      if (entry.seq !== seq) return fail(`seq ${entry.seq}, expected ${seq}`);
      if (entry.prev !== prev) return fail('prev does not link to the entry before');
      if (hashOf(entry) !== entry.hash) return fail('hash does not match the entry');
      prev = entry.hash;
      seq++;
    }
  }
  return { ok: true, entries: seq - 1, tornTail };
}
