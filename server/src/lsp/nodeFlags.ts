/**
 * Node options the VS Code client starts the language server with (the bench's
 * memory case uses the same list). A long-running server holds little live data
 * (~20 MB of heap with 200 open documents); what makes its RSS is what Node keeps
 * around that data:
 * - `--max-semi-space-size=1`: V8 grows the young generation to 16 MB per
 *   semi-space under a burst of edits and keeps it; 1 MB is plenty here.
 * - `--v8-pool-size=1`: each of V8's background threads (four by default) gets
 *   its own glibc malloc arena, which keeps the compiler's and GC's freed memory
 *   resident; one thread keeps concurrent GC and compilation off the main thread
 *   at about 8 MB less RSS.
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=1', '--v8-pool-size=1'];
