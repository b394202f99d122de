// Prints LINES numbered lines as fast as the pipe takes them (levels mixed, CRLF on some, a
// canary key from CANARY every 1,000th line), then exits 0. Respects backpressure.
const total = Number(process.env.LINES ?? 1000);
const canary = process.env.CANARY ?? '';
const width = Number(process.env.WIDTH ?? 0);
let i = 0;
function line(n) {
  const pad = width > 0 ? ' ' + 'x'.repeat(width) : '';
  if (canary && n % 1000 === 500) return `[WARN] line ${n} leaked ${canary} oops${pad}\n`;
  if (n % 7 === 0) return `ERROR: line ${n} failed${pad}\r\n`;
  return `[INFO] line ${n} ok${pad}\n`;
}
function pump() {
  while (i < total) {
    let chunk = '';
    for (let k = 0; k < 200 && i < total; k++) chunk += line(++i);
    if (!process.stdout.write(chunk)) return process.stdout.once('drain', pump);
  }
  process.stderr.write(`done ${total}\n`);
}
pump();
