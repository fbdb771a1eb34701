/**
 * Node options the language server runs with: VS Code's client starts it with
 * them, and `harbor-audit lsp --stdio` restarts itself with them where Node
 * can (`npm run bench -- --only memory` measures both). A long-running server holds
 * little live data (~20 MB of heap with 200 open documents); what makes its RSS
 * is what Node keeps around that data:
 * - `--max-semi-space-size=1`: V8 grows the young generation to 16 MB per
 *   semi-space under a burst of edits and keeps it; 1 MB is plenty here.
 * - `--v8-pool-size=1`: each of V8's background threads (four by default) gets
 *   its own glibc malloc arena, which keeps the compiler's and GC's freed memory
 *   resident; one thread keeps concurrent GC and compilation off the main thread.
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=1', '--v8-pool-size=1'];

type Execve = (file: string, args: string[], env: NodeJS.ProcessEnv) => never;

/**
 * Another editor starts `harbor-audit lsp --stdio` with Node's defaults. Where
 * Node can replace the running program (process.execve: Node 22.15 and later,
 * not on Windows), the command starts again with SERVER_NODE_FLAGS in the same
 * process, on the same pipes, before anything has read them (bin.ts calls this
 * before it loads the bundle). Options the user gave Node for these settings
 * are kept as they are.
 */
export function restartWithServerFlags(running: Pick<NodeJS.Process, 'execPath' | 'execArgv' | 'argv' | 'env' | 'platform'> & { execve?: Execve }): void {
  if (typeof running.execve !== 'function' || running.platform === 'win32') return;
  // Node reads `--v8_pool_size` as `--v8-pool-size`, and NODE_OPTIONS may quote an option.
  const nameOf = (option: string) => option.replace(/^"/, '').split('=')[0].replace(/_/g, '-');
  const given = new Set([...running.execArgv, ...(running.env.NODE_OPTIONS ?? '').split(/\s+/)].map(nameOf));
  const missing = SERVER_NODE_FLAGS.filter((flag) => !given.has(nameOf(flag)));
  if (missing.length === 0) return;
  try {
    running.execve(running.execPath, [running.execPath, ...running.execArgv, ...missing, ...running.argv.slice(1)], running.env);
  } catch {
    // The program could not be replaced (the error leaves this process as it was): run with the defaults.
  }
}
