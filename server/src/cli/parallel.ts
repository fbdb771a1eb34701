/**
 * Linting many files on every core: a pool of worker threads (one per core,
 * each holding one file at a time, so memory stays bounded by the pool size),
 * results put back in target order so the output does not depend on which
 * worker finished first. Each file's analysis is independent: cross-file rules
 * read the other files through their own FileAccess, as they do in one thread.
 *
 * Workers run this very module: from the `dist/cli.js` bundle (which holds it)
 * or from its own compiled file in the tests. Small runs stay in this thread,
 * where no worker has to load the core first.
 */
import { availableParallelism, loadavg } from 'node:os';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { decodeBytes } from '../core/decode';
import { analyzeBytes, type Analysis } from '../core/languageService';
import type { RandomSource } from '../core/secrets';
import type { AuditSettings } from '../core/settings';
import type { FileAccess } from '../core/types';
import { createNodeFileAccess, type NameIndexes, type NodeFileAccess } from '../node/nodeFileAccess';

export interface LintTarget {
  /** As the user should see it. */
  display: string;
  absolute: string;
  /** Named on the command line (a read failure is reported) rather than found in a folder (passed over). */
  explicit: boolean;
  maxBytes: number;
}

export interface LintContext {
  settings: AuditSettings;
  searchRoots: string[];
  /** Tests inject seeded randomness; a function cannot cross to a worker, so such runs stay in this thread. */
  random?: RandomSource;
}

export type TargetResult =
  | { kind: 'unreadable'; message: string }
  | { kind: 'skipped' }
  /** `bytes` only when asked for (--fix rewrites them); never sent back from a worker. */
  | { kind: 'analysed'; analysis: Analysis; bytes?: Uint8Array };

/** One file: read, pass over binary files found in folders, analyse. */
export async function lintTarget(target: LintTarget, context: LintContext, files: FileAccess, keepBytes = false): Promise<TargetResult> {
  const read = await files.readFile(target.absolute, { maxBytes: target.maxBytes });
  if (!read.ok) return target.explicit ? { kind: 'unreadable', message: read.message } : { kind: 'skipped' };
  if (!target.explicit && decodeBytes(read.bytes.subarray(0, 8192)).problem?.kind === 'binary') return { kind: 'skipped' };
  const options = { files, settings: context.settings, searchRoots: context.searchRoots, ...(context.random ? { random: context.random } : {}) };
  const analysis = await analyzeBytes({ uri: target.display, path: target.absolute, bytes: read.bytes }, options);
  return { kind: 'analysed', analysis, ...(keepBytes ? { bytes: read.bytes } : {}) };
}

export interface LintAllOptions {
  /** Threads to use, this one included; default: see defaultJobs. 1 lints in this thread only. */
  jobs?: number;
  /** Called as each file is done, with the thread that linted it (0: this one; 1 and up: the workers). */
  onLinted?: (index: number, thread: number) => void;
}

/**
 * Below this many files a run stays in this thread: a worker first loads the
 * core (about 0.1 s of CPU each), while a typical config lints in a few ms.
 */
export const MIN_FILES_FOR_WORKERS = 48;

/**
 * Files each worker has at once: the next one is already there when it is done
 * with one, instead of a message round trip later. Memory stays bounded by
 * threads x this.
 */
const FILES_IN_FLIGHT = 2;

/** Whether lintAll would use worker threads for this run. */
export function usesWorkers(count: number, context: LintContext, options: LintAllOptions = {}): boolean {
  return jobsFor(count, options) > 1 && count >= MIN_FILES_FOR_WORKERS && !context.random;
}

function jobsFor(count: number, options: LintAllOptions): number {
  return Math.max(1, Math.min(options.jobs ?? defaultJobs(), count));
}

/**
 * Threads a run uses unless --jobs says: every idle core from three up, else
 * this thread alone. A worker pays its own warm-up (loading and compiling the
 * core, ~0.5 s of CPU), and two threads on two cores contend for caches and
 * memory: on the 2-core bench machine the corpus x16 took 2.7 s on two threads
 * against 2.5 s on one (npm run bench, parallel CLI).
 */
export function defaultJobs(idle = idleCores()): number {
  return idle >= 3 ? idle : 1;
}

/**
 * Cores with nothing to do, from the 1-minute load average (as `make -l`): a
 * worker costs CPU of its own (loading and warming the core), so on a machine
 * already busy it makes a run slower, not faster (bench: 1.27x at load 3.5 on 2 cores).
 */
export function idleCores(cores = availableParallelism(), load = loadavg()[0]): number {
  return Math.max(1, Math.min(cores, Math.round(cores - load)));
}

/**
 * Every target's result, in target order, from this thread and `jobs - 1`
 * worker threads (this thread has the core loaded and warm already; see
 * usesWorkers: the caller lints small runs itself). Each takes the next file
 * when it is done with one.
 */
export async function lintInWorkers(targets: readonly LintTarget[], context: LintContext, files: FileAccess | NodeFileAccess, options: LintAllOptions = {}): Promise<TargetResult[]> {
  const jobs = jobsFor(targets.length, options);
  // The search roots' name indexes (keys, includers are found by name), built once here and handed to
  // every worker, instead of each walking the whole tree again.
  let nameIndexes: NameIndexes | undefined;
  if (jobs > 1 && 'builtNameIndexes' in files && files.findByName) {
    await files.findByName('', context.searchRoots);
    nameIndexes = await files.builtNameIndexes();
  }
  return new Promise((resolve, reject) => {
    const results: TargetResult[] = new Array(targets.length);
    const workers: Worker[] = [];
    let next = 0;
    let done = 0;
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      for (const worker of workers) void worker.terminate();
      if (error) reject(error);
      else resolve(results);
    };
    const store = (index: number, result: TargetResult, thread: number) => {
      results[index] = result;
      options.onLinted?.(index, thread);
      if (++done === targets.length) finish();
    };
    const feed = (worker: Worker) => {
      if (next >= targets.length || settled) return;
      const request: WorkerRequest = { index: next, target: targets[next] };
      next++;
      worker.postMessage(request);
    };
    for (let thread = 1; thread < jobs; thread++) {
      // This very file (or the bundle that holds it) runs the worker loop below when loaded in a worker.
      const workerData: WorkerData = { mark: WORKER_MARK, context: { settings: context.settings, searchRoots: context.searchRoots }, nameIndexes };
      const worker = new Worker(__filename, { workerData });
      workers.push(worker);
      worker.on('message', (reply: WorkerReply) => {
        if ('error' in reply) return finish(new Error(`${targets[reply.index].display}: ${reply.error}`));
        store(reply.index, reply.result, thread);
        feed(worker);
      });
      worker.on('error', (error) => finish(error));
      worker.on('exit', (code) => {
        if (done < targets.length) finish(new Error(`a lint worker exited with code ${code} before the run was done`));
      });
      for (let k = 0; k < FILES_IN_FLIGHT; k++) feed(worker);
    }
    // This thread takes its share between the workers' messages. Its reads are synchronous, so a lint
    // never waits on the event loop: it yields after each file, or the workers' replies (and their next
    // files) would wait until this thread had linted everything left.
    void (async () => {
      while (next < targets.length && !settled) {
        const index = next++;
        try {
          store(index, await lintTarget(targets[index], context, files), 0);
        } catch (error) {
          finish(error as Error);
        }
        await yieldToEventLoop();
      }
    })();
  });
}

interface WorkerRequest {
  index: number;
  target: LintTarget;
}

type WorkerReply = { index: number; result: TargetResult } | { index: number; error: string };

const WORKER_MARK = 'harbor-audit-lint-worker';

interface WorkerData {
  mark: typeof WORKER_MARK;
  context: LintContext;
  nameIndexes?: NameIndexes;
}

function runWorker(): void {
  const { context, nameIndexes } = workerData as WorkerData;
  const files = createNodeFileAccess({ nameIndexTtlMs: Infinity, synchronous: true, nameIndexes });
  parentPort!.on('message', async ({ index, target }: WorkerRequest) => {
    let reply: WorkerReply;
    try {
      reply = { index, result: await lintTarget(target, context, files) };
    } catch (error) {
      reply = { index, error: (error as Error)?.stack ?? String(error) };
    }
    parentPort!.postMessage(reply);
  });
}

/** True in a lint worker: the CLI's entry point must not start there. */
export const isLintWorker = !isMainThread && (workerData as { mark?: string } | null)?.mark === WORKER_MARK;

if (isLintWorker) runWorker();
