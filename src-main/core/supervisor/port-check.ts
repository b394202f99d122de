import { createServer } from 'node:net';
import { readFile, readdir, readlink } from 'node:fs/promises';
import { execa } from 'execa';

/** The process that listens on a port, as far as the OS tells us. */
export interface PortHolder {
  pid: number;
  name: string;
}

/** Result of `checkPortFree`. */
export type PortCheckResult = { free: true } | { free: false; holder: PortHolder | null };

/** Try to bind `port` on `host`: 'in-use', 'free', or 'n/a' when the address family is absent. */
function tryListen(port: number, host: string): Promise<'free' | 'in-use' | 'n/a'> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', (err: NodeJS.ErrnoException) => {
      resolve(err.code === 'EADDRINUSE' ? 'in-use' : 'n/a');
    });
    server.listen({ port, host, exclusive: true }, () => {
      server.close(() => resolve('free'));
    });
  });
}

/**
 * Whether nobody listens on `port`. Binds briefly on loopback, all-IPv4 and all-IPv6, because a
 * service may listen on any of them and each conflicts with what the child will try to bind.
 */
export async function checkPortFree(port: number): Promise<PortCheckResult> {
  for (const host of ['127.0.0.1', '0.0.0.0', '::']) {
    if ((await tryListen(port, host)) === 'in-use') {
      return { free: false, holder: await findPortHolder(port) };
    }
  }
  return { free: true };
}

/** Socket inodes listening on `port`, from /proc/net/tcp{,6} (state 0A = LISTEN). */
async function listeningInodes(port: number): Promise<Set<string>> {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = await readFile(table, 'utf8');
    } catch {
      continue;
    }
    for (const row of text.split('\n').slice(1)) {
      const cols = row.trim().split(/\s+/);
      const local = cols[1];
      if (!local || cols[3] !== '0A') continue;
      const portHex = local.slice(local.lastIndexOf(':') + 1);
      if (parseInt(portHex, 16) === port && cols[9] && cols[9] !== '0') inodes.add(cols[9]);
    }
  }
  return inodes;
}

/** Linux: map the listening socket's inode to the process holding it via /proc/<pid>/fd. */
async function findHolderLinux(port: number): Promise<PortHolder | null> {
  const inodes = await listeningInodes(port);
  if (inodes.size === 0) return null;
  const wanted = new Set([...inodes].map((inode) => `socket:[${inode}]`));
  let pids: string[];
  try {
    pids = (await readdir('/proc')).filter((e) => /^\d+$/.test(e));
  } catch {
    return null;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = await readdir(`/proc/${pid}/fd`);
    } catch {
      continue; // Not ours to look at (EACCES) or gone meanwhile.
    }
    for (const fd of fds) {
      const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => null);
      if (target !== null && wanted.has(target)) {
        const name = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '?');
        return { pid: Number(pid), name: name.trim() };
      }
    }
  }
  return null;
}

/** Elsewhere (macOS): ask lsof, whose -F output gives "p<pid>" and "c<command>" lines. */
async function findHolderLsof(port: number): Promise<PortHolder | null> {
  const result = await execa('lsof', ['-nP', `-iTCP:${port}`, '-sTCP:LISTEN', '-Fpc'], {
    reject: false,
    env: { LC_ALL: 'C', PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
    extendEnv: false,
    timeout: 5_000,
  });
  const out = typeof result.stdout === 'string' ? result.stdout : '';
  let pid: number | null = null;
  for (const line of out.split('\n')) {
    if (line.startsWith('p')) pid = Number(line.slice(1));
    else if (line.startsWith('c') && pid !== null) return { pid, name: line.slice(1) };
  }
  return pid !== null ? { pid, name: '?' } : null;
}

/** Who listens on `port`; null when the OS does not say (another user, no lsof...). */
export async function findPortHolder(port: number): Promise<PortHolder | null> {
  try {
    return process.platform === 'linux' ? await findHolderLinux(port) : await findHolderLsof(port);
  } catch {
    return null;
  }
}

/** Advice for a port that is taken before a service could start. */
export function portInUseAdvice(port: number, holder: PortHolder | null): string {
  const who = holder
    ? `by pid ${holder.pid} (${holder.name})`
    : 'by another process (the OS did not tell which one)';
  return `Port ${port} is already in use ${who}. Stop that process or change the port in the stack file.`;
}
