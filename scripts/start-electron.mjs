#!/usr/bin/env node
// `npm start` launcher: checks that Chromium's sandbox can start on this Linux before running
// Electron, then runs it and forwards termination signals.
//
// Ubuntu 23.10+ (default on 24.04) sets kernel.apparmor_restrict_unprivileged_userns=1: an
// unconfined program may create a user namespace but loses its capabilities inside it, so
// Chromium's namespace sandbox dies and it falls back to the SUID helper `chrome-sandbox`,
// which npm installs without root ownership or the setuid bit: Electron aborts before any
// window ("The SUID sandbox helper binary was found, but is not configured correctly";
// electron/electron#41066, #42510). The fixes the Electron and Ubuntu threads document, best
// first: an AppArmor profile that grants `userns` to this Electron binary (what the deb
// installs for the packaged app), or a root-owned setuid chrome-sandbox. We explain both and,
// in a terminal, offer to apply the second one with sudo. We never add --no-sandbox: the app
// renders a page that holds LLM keys, and a sandbox switched off in development is one that
// nobody notices is off. The AppImage cannot be fixed from inside (it runs from a read-only
// mount): docs/linux-sandbox.md gives the AppArmor profile for it.
//
// Usage: node scripts/start-electron.mjs [electron args...]   (default args: ".")
//        node scripts/start-electron.mjs --check   (only the verdict; exit 0 ok, 1 blocked)
// STIGMER_USERNS_SYSCTL, STIGMER_CHROME_SANDBOX, STIGMER_APPARMOR_DIR and STIGMER_ELECTRON_BINARY
// override the probed paths (tests only).

import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { pathToFileURL } from 'node:url';

const USERNS_SYSCTL = '/proc/sys/kernel/apparmor_restrict_unprivileged_userns';

/** Reads a file, or null when it does not exist or cannot be read. */
function readOrNull(file) {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** True when `helper` is owned by root with the setuid bit and mode 4755 (what Chromium checks). */
export function isSuidHelper(helper) {
  try {
    const st = statSync(helper);
    return st.uid === 0 && (st.mode & 0o4000) !== 0 && (st.mode & 0o755) === 0o755;
  } catch {
    return false;
  }
}

/** True when a profile in `dir` names `binary` and grants `userns` (the AppArmor fix). */
export function hasAppArmorProfile(dir, binary) {
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return false;
  }
  return names.some((name) => {
    const text = readOrNull(path.join(dir, name));
    return text !== null && text.includes(binary) && /^\s*userns\s*,/m.test(text);
  });
}

/**
 * The verdict for this machine: 'ok' (not Linux, no restriction, or a fix in place) or
 * 'blocked' (restricted user namespaces, no SUID helper, no AppArmor profile).
 */
export function sandboxVerdict({ platform, sysctlText, suidHelper, appArmorProfile }) {
  if (platform !== 'linux') return 'ok';
  if (sysctlText === null || sysctlText.trim() !== '1') return 'ok';
  return suidHelper || appArmorProfile ? 'ok' : 'blocked';
}

/** The advice printed when blocked: what happened, why, and the two fixes with exact commands. */
export function blockedAdvice(binary, helper) {
  const profile = 'stigmer-local-dev';
  return [
    'Electron cannot start its sandbox on this system, so it would abort before any window.',
    '',
    'Why: this Linux restricts unprivileged user namespaces',
    `(${USERNS_SYSCTL} = 1, the default since Ubuntu 24.04), and Chromium's fallback, the`,
    `SUID helper ${helper}, is not owned by root with mode 4755.`,
    '(electron/electron#41066, #42510)',
    '',
    'Fix it once, either way:',
    '',
    '  1. An AppArmor profile for this Electron binary (recommended; survives npm install):',
    '',
    `     sudo tee /etc/apparmor.d/${profile} >/dev/null <<'EOF'`,
    'abi <abi/4.0>,',
    'include <tunables/global>',
    `profile ${profile} "${binary}" flags=(unconfined) {`,
    '  userns,',
    `  include if exists <local/${profile}>`,
    '}',
    'EOF',
    `     sudo apparmor_parser -r /etc/apparmor.d/${profile}`,
    '',
    '  2. Make the SUID helper root-owned and setuid (redo it after each npm install):',
    '',
    `     sudo chown root:root "${helper}" && sudo chmod 4755 "${helper}"`,
    '',
    'Not recommended: sysctl kernel.apparmor_restrict_unprivileged_userns=0 turns the protection',
    'off for every program; --no-sandbox turns off the sandbox of the page that holds your keys.',
  ].join('\n');
}

async function askYes(question) {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

function electronBinary() {
  const require = createRequire(import.meta.url);
  return require('electron');
}

function probe(binary) {
  const helper =
    process.env.STIGMER_CHROME_SANDBOX ?? path.join(path.dirname(binary), 'chrome-sandbox');
  const verdict = () =>
    sandboxVerdict({
      platform: process.platform,
      sysctlText: readOrNull(process.env.STIGMER_USERNS_SYSCTL ?? USERNS_SYSCTL),
      suidHelper: isSuidHelper(helper),
      appArmorProfile: hasAppArmorProfile(
        process.env.STIGMER_APPARMOR_DIR ?? '/etc/apparmor.d',
        binary,
      ),
    });
  return { helper, verdict };
}

async function main() {
  const args = process.argv.slice(2);
  const checkOnly = args[0] === '--check';
  const binary = process.env.STIGMER_ELECTRON_BINARY ?? electronBinary();
  const { helper, verdict } = probe(binary);

  if (verdict() === 'blocked') {
    console.error(blockedAdvice(binary, helper));
    if (checkOnly || !process.stdin.isTTY || !process.stdout.isTTY) process.exit(1);
    const yes = await askYes(
      '\nApply fix 2 now with sudo (you will be asked for your password)? [y/N] ',
    );
    if (!yes) process.exit(1);
    const run = (argv) => spawnSync('sudo', argv, { stdio: 'inherit' }).status === 0;
    if (
      !run(['chown', 'root:root', helper]) ||
      !run(['chmod', '4755', helper]) ||
      verdict() === 'blocked'
    ) {
      console.error(
        'The helper is still not root-owned with mode 4755; apply one of the fixes above by hand.',
      );
      process.exit(1);
    }
    console.error('Fixed: chrome-sandbox is root-owned and setuid. Starting Stigmer Local.');
  }
  if (checkOnly) {
    console.log('ok');
    return;
  }

  const child = spawn(binary, args.length > 0 ? args : ['.'], { stdio: 'inherit' });
  // The app turns each signal into its graceful quit (it coalesces the copies that also reach
  // it from the terminal); the launcher only forwards and waits for it to finish.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    });
  }
  child.on('error', (error) => {
    console.error(`Could not start Electron (${binary}): ${error.message}. Run npm install again.`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

// Run when executed, not when imported.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
