/**
 * Follows `include` directives the way nginx does: relative paths resolve
 * against the configuration directory (nginx's conf prefix), globs expand in
 * sorted order, and each include gets its own parse of the file so the tree
 * stays a tree. Limits (files, includes, depth, bytes) and cycle checks keep
 * hostile or broken configs from running away; every failure becomes an
 * IncludeProblem, and a limit is reported once, not once per include past it.
 *
 * Work is linear in the number of include directives: each glob pattern is
 * listed once per resolution, and an include that repeats an earlier one of
 * the same block (`include *;` two thousand times) is not followed again: it
 * is neither listed, read, parsed, spliced nor reported.
 */
import { isAbsolute, join, normalize } from 'node:path/posix';
import { decodeBytes } from '../decode';
import type { FileAccess, ReadProblem } from '../types';
import type { NginxDirective, NginxFile } from './ast';
import { parseNginx } from './parser';
import { nextDirective, type WalkFrame } from './walk';

export interface IncludeProblem {
  include: NginxDirective;
  path: string;
  message: string;
  reason: 'read' | 'cycle' | 'depth' | 'too-many-files' | 'too-many-includes';
  /** For 'read': what FileAccess said was wrong (missing, not-regular, ...). */
  problem?: ReadProblem;
}

export interface IncludeOptions {
  /** nginx's configuration directory: relative include paths resolve against it. */
  configDir: string;
  /** Parsed included files (each include of a file counts), default 256. */
  maxFiles?: number;
  /** `include` directives followed (repeats of one in the same block not counted), default 1024. */
  maxIncludes?: number;
  /** Include nesting depth, default 16. */
  maxDepth?: number;
  /** Largest file read, default 1 MiB. */
  maxBytes?: number;
}

const GLOB_MAGIC = /[*?[]/;

interface Pending {
  file: NginxFile;
  depth: number;
  /** Normalised paths of the files that include this one, root first, itself last. */
  stack: string[];
}

type Loaded = { ok: true; text: string } | { ok: false; message: string; problem?: ReadProblem };

/**
 * Resolves the includes of `root` and of the files it includes, breadth first
 * (crossplane's order). `files` lists the root, then each distinct included
 * file once, in the order they were first reached.
 */
export async function resolveIncludes(
  root: NginxFile,
  access: FileAccess,
  options: IncludeOptions,
): Promise<{ files: NginxFile[]; problems: IncludeProblem[] }> {
  const maxFiles = options.maxFiles ?? 256;
  const maxDepth = options.maxDepth ?? 16;
  const maxIncludes = options.maxIncludes ?? 1024;
  const maxBytes = options.maxBytes ?? 1024 * 1024;
  const files: NginxFile[] = [root];
  const seen = new Set<string>([normalize(root.path)]);
  const problems: IncludeProblem[] = [];
  const cache = new Map<string, Promise<Loaded>>();
  const globs = new Map<string, Promise<string[]>>();
  let parsed = 0;
  let followed = 0;
  // A limit is one problem: the first include it stops, and how many more it stopped.
  const limitProblems = new Map<'too-many-files' | 'too-many-includes', { problem: IncludeProblem; more: number; describe: (more: number) => string }>();
  const limitReached = (reason: 'too-many-files' | 'too-many-includes', include: NginxDirective, path: string, describe: (more: number) => string) => {
    const known = limitProblems.get(reason);
    if (known) {
      known.more++;
      return;
    }
    const problem: IncludeProblem = { include, path, reason, message: describe(0) };
    limitProblems.set(reason, { problem, more: 0, describe });
    problems.push(problem);
  };
  const listGlob = (pattern: string): Promise<string[]> => {
    let listed = globs.get(pattern);
    if (!listed) {
      listed = access.glob(pattern).then((paths) => [...paths].sort());
      globs.set(pattern, listed);
    }
    return listed;
  };

  const load = (path: string): Promise<Loaded> => {
    let pending = cache.get(path);
    if (!pending) {
      pending = (async (): Promise<Loaded> => {
        try {
          const result = await access.readFile(path, { maxBytes });
          if (!result.ok) return { ok: false, message: result.message, problem: result.problem };
          const decoded = decodeBytes(result.bytes);
          if (decoded.problem?.kind === 'binary') return { ok: false, message: decoded.problem.message };
          return { ok: true, text: decoded.text };
        } catch (error) {
          return { ok: false, message: error instanceof Error ? error.message : String(error) };
        }
      })();
      cache.set(path, pending);
    }
    return pending;
  };

  const queue: Pending[] = [{ file: root, depth: 0, stack: [normalize(root.path)] }];
  for (let q = 0; q < queue.length; q++) {
    const current = queue[q];
    // The include arguments already resolved in each block of this file.
    const resolvedIn = new Map<readonly NginxDirective[], Set<string>>();
    for (const [include, block] of includesOf(current.file)) {
      include.included = [];
      const arg = include.args[0];
      if (!arg || include.templated || arg.templated) continue;
      let inBlock = resolvedIn.get(block);
      if (!inBlock) resolvedIn.set(block, (inBlock = new Set()));
      // A repeat brings the same directives again: nginx would mostly refuse them as duplicates, and no
      // check learns anything from a second copy, so it is left empty (splicing copies made the work
      // grow with repeats times the files they match).
      if (inBlock.has(arg.value)) continue;
      inBlock.add(arg.value);
      const pattern = isAbsolute(arg.value) ? arg.value : join(options.configDir, arg.value);
      if (followed >= maxIncludes) {
        limitReached('too-many-includes', include, pattern, (more) => `more than ${maxIncludes} include directives; this one${more > 0 ? ` and ${more} more` : ''} were not followed`);
        continue;
      }
      followed++;
      let paths: string[];
      if (GLOB_MAGIC.test(pattern)) {
        try {
          paths = await listGlob(pattern);
          // A path on the proxy host (`/etc/nginx/conf.d/*.conf`) that is not on this machine: the same tail beside this config.
          for (const tail of isAbsolute(arg.value) ? hostTails(arg.value, options.configDir) : []) {
            if (paths.length > 0) break;
            paths = await listGlob(tail);
          }
        } catch (error) {
          problems.push({ include, path: pattern, reason: 'read', message: error instanceof Error ? error.message : String(error) });
          continue;
        }
      } else {
        paths = [pattern];
        if (isAbsolute(arg.value) && !(await load(pattern)).ok) {
          for (const tail of hostTails(arg.value, options.configDir)) {
            if (!(await load(tail)).ok) continue;
            paths = [tail];
            break;
          }
        }
      }
      for (const path of paths) {
        const key = normalize(path);
        if (current.stack.includes(key)) {
          const message =
            key === current.stack[current.stack.length - 1]
              ? `${path} includes itself`
              : `include cycle: ${[...current.stack.slice(current.stack.indexOf(key)), key].join(' -> ')}`;
          problems.push({ include, path, reason: 'cycle', message });
          continue;
        }
        if (current.depth + 1 > maxDepth) {
          problems.push({ include, path, reason: 'depth', message: `includes nest deeper than ${maxDepth} levels; ${path} was not read` });
          continue;
        }
        if (parsed >= maxFiles) {
          limitReached('too-many-files', include, path, (more) => `more than ${maxFiles} included files; ${path}${more > 0 ? ` and ${more} more` : ''} were not read`);
          continue;
        }
        const loaded = await load(path);
        if (!loaded.ok) {
          problems.push({ include, path, reason: 'read', message: loaded.message, problem: loaded.problem });
          continue;
        }
        parsed++;
        const file = parseNginx(loaded.text, path);
        include.included.push(file);
        if (!seen.has(key)) {
          seen.add(key);
          files.push(file);
        }
        queue.push({ file, depth: current.depth + 1, stack: [...current.stack, key] });
      }
    }
  }
  for (const { problem, more, describe } of limitProblems.values()) problem.message = describe(more);
  return { files, problems };
}

/** The `include` directives of a file in text order, at any block depth, each with the block it stands in. */
function includesOf(file: NginxFile): [NginxDirective, readonly NginxDirective[]][] {
  const found: [NginxDirective, readonly NginxDirective[]][] = [];
  // A directive's name is written in the text (only a quote is ever unescaped): without the word there is
  // no include, and one native scan spares a walk of the tree on every keystroke.
  if (!file.text.includes('include')) return found;
  // The includes themselves, not the files they pull in: no `enter`.
  const stack: WalkFrame[] = [{ list: file.directives, index: 0, files: [] }];
  for (let directive = nextDirective(stack); directive; directive = nextDirective(stack)) {
    if (directive.name === 'include' && !directive.block) found.push([directive, stack[stack.length - 1].list]);
    if (directive.block) stack.push({ list: directive.block, index: 0, files: [] });
  }
  return found;
}

/**
 * Where an absolute include written for the proxy host may sit beside this
 * config: its tails under the config folder, longest first, keeping at least
 * the folder and the name (`/etc/nginx/conf.d/*.conf` → `<dir>/nginx/conf.d/*.conf`, `<dir>/conf.d/*.conf`).
 */
function hostTails(written: string, configDir: string): string[] {
  const segments = written.split('/').filter((segment) => segment !== '');
  const tails: string[] = [];
  for (let k = 1; k <= segments.length - 2; k++) tails.push(join(configDir, ...segments.slice(k)));
  return tails;
}
