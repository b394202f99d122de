// A service whose helpers leave its process group, so a signal to the group misses them.
// Prints "ready" once every helper has written its pid file. Flags (each takes a pid file):
//   --setsid FILE       a grandchild in a new session (node's detached spawn calls setsid)
//   --setsid-bin FILE   the same through util-linux's `setsid` program
//   --double-fork FILE  a daemon whose intermediate (own session) exits at once
//   --bare-setsid FILE  like --setsid with an empty environment: no tag, ancestry only
//   --ignore-sigterm    helpers ignore SIGTERM (SIGKILL must end them)
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

const args = process.argv.slice(2);
const opt = (flag) => {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
};
const extra = args.includes('--ignore-sigterm') ? ['--ignore-sigterm'] : [];
const here = (name) => new URL(`./${name}`, import.meta.url).pathname;
const node = process.execPath;
const files = [];

const start = (command, argv, options) => {
  const child = spawn(command, argv, { stdio: 'ignore', ...options });
  child.on('error', (err) => {
    process.stderr.write(`escaper: cannot start ${command}: ${err.message}\n`);
    process.exit(2);
  });
  child.unref();
};

if (opt('--setsid')) {
  files.push(opt('--setsid'));
  start(node, [here('escapee.mjs'), opt('--setsid'), ...extra], { detached: true });
}
if (opt('--setsid-bin')) {
  files.push(opt('--setsid-bin'));
  start('setsid', [node, here('escapee.mjs'), opt('--setsid-bin'), ...extra], {});
}
if (opt('--double-fork')) {
  files.push(opt('--double-fork'));
  start(node, [here('double-fork.mjs'), opt('--double-fork'), ...extra], { detached: true });
}
if (opt('--bare-setsid')) {
  files.push(opt('--bare-setsid'));
  start(node, [here('escapee.mjs'), opt('--bare-setsid'), ...extra], { detached: true, env: {} });
}

process.on('SIGTERM', () => process.exit(0));
const poll = setInterval(() => {
  if (!files.every((f) => existsSync(f))) return;
  clearInterval(poll);
  process.stdout.write('ready\n');
}, 10);
setInterval(() => {}, 60_000);
