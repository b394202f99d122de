/**
 * Node/V8 flags the browser host is started with (`stigmer-local up`, the bench). V8 sizes the
 * young generation when the isolate starts, so only the command line can set it:
 * `v8.setFlagsFromString` at run time leaves the existing heap as it is (tried: new space stayed
 * 32 MB). Under a log flood the host's main thread makes mostly short-lived garbage (pipe chunks,
 * live batches, frames); with the default 16 MB semi-spaces the new space alone grows to 32 MB of
 * RSS. Measured, 2,000,000-line flood through the browser host, worker capture, back to back on
 * one loaded machine: RSS peak 163-166 MB default, 148-159 MB at 4 MB, 145 MB at 2 MB, 134-140
 * MB at 1 MB, round-trip p99 and event-loop delay no worse. The flag is process-wide: it also
 * sets the capture worker's semi-spaces (over its resourceLimits); at 1 MB the worker scavenged
 * every ~1 MB (1,595 times, GC ~25% of its time), so 2 MB, about the worker's own 8 MB young
 * generation, keeps its GC as it was. Electron's main process cannot take it: `--js-flags` set
 * by the app (app.commandLine) reaches only renderers, and packaged apps ignore NODE_OPTIONS.
 */
export const HOST_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2'];
