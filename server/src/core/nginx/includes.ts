/**
 * Follows `include` directives the way nginx does: relative paths resolve
 * against the configuration directory (nginx's conf prefix), globs expand in
 * sorted order, and each include gets its own parse of the file so the tree
 * stays a tree. Limits (files, depth, bytes) and cycle checks keep hostile or
 * broken configs from running away; every failure becomes an IncludeProblem.
 */
import { isAbsolute, join, normalize } from 'node:path/posix';
import { decodeBytes } from '../decode';
import type { FileAccess, ReadProblem } from '../types';
import type { NginxDirective, NginxFile } from './ast';
import { parseNginx } from './parser';

export interface IncludeProblem {
  include: NginxDirective;
  path: string;
  message: string;
  reason: 'read' | 'cycle' | 'depth' | 'too-many-files';
  /** For 'read': what FileAccess said was wrong (missing, not-regular, ...). */
  problem?: ReadProblem;
}

export interface IncludeOptions {
  /** nginx's configuration directory: relative include paths resolve against it. */
  configDir: string;
  /** Parsed included files (each include of a file counts), default 256. */
  maxFiles?: number;
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
  const maxBytes = options.maxBytes ?? 1024 * 1024;
  const files: NginxFile[] = [root];
  const seen = new Set<string>([normalize(root.path)]);
  const problems: IncludeProblem[] = [];
  const cache = new Map<string, Promise<Loaded>>();
  let parsed = 0;

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
    for (const include of includesOf(current.file.directives)) {
      include.included = [];
      const arg = include.args[0];
      if (!arg || include.templated || arg.templated) continue;
      const pattern = isAbsolute(arg.value) ? arg.value : join(options.configDir, arg.value);
      let paths: string[];
      if (GLOB_MAGIC.test(pattern)) {
        try {
          paths = [...(await access.glob(pattern))].sort();
          // A path on the proxy host (`/etc/nginx/conf.d/*.conf`) that is not on this machine: the same tail beside this config.
          for (const tail of isAbsolute(arg.value) ? hostTails(arg.value, options.configDir) : []) {
            if (paths.length > 0) break;
            paths = [...(await access.glob(tail))].sort();
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
          problems.push({ include, path, reason: 'too-many-files', message: `more than ${maxFiles} included files; ${path} was not read` });
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
  return { files, problems };
}

/** The `include` directives of a file in text order, at any block depth. */
function includesOf(directives: readonly NginxDirective[]): NginxDirective[] {
  const found: NginxDirective[] = [];
  const stack: { list: readonly NginxDirective[]; index: number }[] = [{ list: directives, index: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    if (top.index >= top.list.length) {
      stack.pop();
      continue;
    }
    const directive = top.list[top.index++];
    if (directive.name === 'include' && !directive.block) found.push(directive);
    if (directive.block) stack.push({ list: directive.block, index: 0 });
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
