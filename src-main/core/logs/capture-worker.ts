/**
 * Entry of the log-capture worker thread (built to dist/main/capture-worker.mjs, self-contained,
 * unpacked from the asar). It runs the capture engine off the main thread, which in Electron also
 * serves the tray, menus and every IPC reply. It never logs: a fault is posted to main redacted,
 * and the thread exits so main restarts it.
 */
import { parentPort } from 'node:worker_threads';
import { CaptureHost } from './capture-host';
import type { FromCapture, ToCapture } from './capture-protocol';

const port = parentPort;
if (port === null) throw new Error('capture-worker must run as a worker thread');

const host = new CaptureHost((message: FromCapture) => port.postMessage(message), { acks: true });

function fault(error: unknown): void {
  port!.postMessage({ type: 'fault', text: host.describe(error) } satisfies FromCapture);
  // The engine's state may be half-changed: end this thread; main starts a fresh one.
  process.exit(1);
}

process.on('uncaughtException', fault);
process.on('unhandledRejection', fault);
port.on('message', (message: ToCapture) => {
  try {
    const done = host.handle(message);
    if (done instanceof Promise) done.catch(fault);
  } catch (error) {
    fault(error);
  }
});
// Main replays what it sent before this; from now on it may hand chunks over (transfer).
port.postMessage({ type: 'hello' });
