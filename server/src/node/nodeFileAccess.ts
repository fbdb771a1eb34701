/**
 * The file system behind the core's FileAccess. It never blocks: devices and
 * FIFOs are refused by their type before any open, and reads stop at maxBytes.
 *
 * Confinement (an untrusted workspace): every path is resolved component by
 * component inside the allowed roots, following symlinks only while their
 * targets stay inside. Nothing outside the roots is read, stat'ed or listed,
 * not even to find out that it exists.
 */
import { constants } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { globSegmentRegex, hasGlobMagic } from '../core/nginx/glob';
import type { DirectoryEntry, FileAccess, ReadResult } from '../core/types';
import { asyncFsOps, syncFsOps, type FsOps, type OpenFile } from './fsOps';

export interface NodeFileAccessOptions {
  /** When set (an untrusted workspace), nothing outside these folders is read, stat'ed or listed. */
  allowedRoots?: string[];
  /** Upper bound on glob results, against `include /*` style accidents. */
  maxGlobResults?: number;
  /** How long a folder's file-name index is reused by findByName (the CLI keeps it for the run; the server refreshes it). */
  nameIndexTtlMs?: number;
  /** Synchronous file-system calls (the CLI: see fsOps.ts); the default is asynchronous (the server). */
  synchronous?: boolean;
  /** Name indexes built elsewhere (a lint worker starts from the CLI's instead of walking the tree again). */
  nameIndexes?: NameIndexes;
}

/** Per searched folder: file name to the paths of the regular files with that name below it. */
export type NameIndexes = Map<string, Map<string, string[]>>;

export interface NodeFileAccess extends FileAccess {
  /** The name index of every folder `findByName` has searched so far. */
  builtNameIndexes(): Promise<NameIndexes>;
}

/** Folders a name search never enters, and its bounds: a workspace, not a whole disk. */
const UNSEARCHED_DIRS = new Set(['.git', 'node_modules', '.hg', '.svn']);
const NAME_INDEX_MAX_FILES = 50_000;
const NAME_INDEX_MAX_DEPTH = 16;

/** Resolves a path to where it really is, or undefined when it is (or leads) outside the roots. */
type Confine = (path: string) => Promise<string | undefined>;

export function createNodeFileAccess(options: NodeFileAccessOptions = {}): NodeFileAccess {
  const fs = options.synchronous ? syncFsOps : asyncFsOps;
  const confine: Confine = options.allowedRoots ? confinedResolver(options.allowedRoots, fs) : async (path) => resolve(path);
  const outside = (path: string): ReadResult => ({
    ok: false,
    path,
    problem: 'outside-workspace',
    message: 'it is outside the workspace, and this workspace is not trusted',
  });

  const nameIndexes = new Map<string, { built: number; byName: Promise<Map<string, string[]>> }>();
  const ttl = options.nameIndexTtlMs ?? 5000;
  for (const [root, byName] of options.nameIndexes ?? []) nameIndexes.set(root, { built: Date.now(), byName: Promise.resolve(byName) });
  const indexOf = (root: string) => {
    const cached = nameIndexes.get(root);
    if (cached && Date.now() - cached.built <= ttl) return cached.byName;
    const byName = buildNameIndex(root, fs);
    nameIndexes.set(root, { built: Date.now(), byName });
    return byName;
  };

  return {
    async builtNameIndexes() {
      const built: NameIndexes = new Map();
      for (const [root, { byName }] of nameIndexes) built.set(root, await byName);
      return built;
    },

    async findByName(name, roots) {
      const found = new Set<string>();
      for (const root of roots) {
        // Confined: a root outside the allowed folders is not listed; the walk never follows a symlink.
        const real = await confine(root);
        if (real === undefined) continue;
        for (const path of (await indexOf(real)).get(name) ?? []) found.add(path);
      }
      return [...found].sort();
    },

    async readFile(path, { maxBytes }): Promise<ReadResult> {
      const real = await confine(path);
      if (real === undefined) return outside(path);
      let stat;
      try {
        stat = await fs.stat(real);
      } catch (error) {
        return failure(path, error);
      }
      if (stat.isDirectory()) return { ok: false, path, problem: 'directory', message: 'it is a directory' };
      if (!stat.isFile()) return { ok: false, path, problem: 'not-regular', message: `it is ${describeSpecial(stat)}, not a regular file` };
      if (stat.size > maxBytes) return { ok: false, path, problem: 'too-large', message: `it is ${formatSize(stat.size)}, over the ${formatSize(maxBytes)} limit` };
      let handle: OpenFile | undefined;
      try {
        // O_NONBLOCK: should the file have become a FIFO since stat, open must not wait for a writer.
        // O_NOFOLLOW when confined: `real` has no symlink left, so one appearing now is refused.
        const flags = constants.O_RDONLY | constants.O_NONBLOCK | (options.allowedRoots ? constants.O_NOFOLLOW : 0);
        handle = await fs.open(real, flags);
        // Sized by the stat, not the limit (a CLI read allows 8 MiB, and zeroing that per file was most of
        // a lint's time); one byte more to see growth since the stat, and grown while the file keeps coming.
        let buffer = Buffer.allocUnsafeSlow(Math.min(maxBytes, stat.size) + 1);
        let length = 0;
        for (;;) {
          if (length === buffer.length) {
            const grown = Buffer.allocUnsafeSlow(Math.min(maxBytes + 1, buffer.length * 2));
            buffer.copy(grown, 0, 0, length);
            buffer = grown;
          }
          const bytesRead = await handle.read(buffer, length, buffer.length - length);
          if (bytesRead === 0) break;
          length += bytesRead;
          if (length > maxBytes) return { ok: false, path, problem: 'too-large', message: `it is over the ${formatSize(maxBytes)} limit` };
        }
        return { ok: true, path, bytes: new Uint8Array(buffer.buffer, buffer.byteOffset, length) };
      } catch (error) {
        return failure(path, error);
      } finally {
        await handle?.close();
      }
    },

    async glob(pattern) {
      return glob(pattern, options.maxGlobResults ?? 1024, confine, fs);
    },

    async listDirectory(path) {
      const real = await confine(path);
      if (real === undefined) return undefined;
      try {
        const entries = await fs.readdirEntries(real);
        const listed: DirectoryEntry[] = [];
        for (const entry of entries) {
          const kind = entry.isDirectory() ? 'directory' : entry.isFile() ? 'file' : entry.isSymbolicLink() ? 'symlink' : 'other';
          listed.push({ name: entry.name, kind });
        }
        return listed;
      } catch {
        return undefined;
      }
    },
  };
}

/** File name to paths, for every regular file under `root` (symlinks are not followed). */
async function buildNameIndex(root: string, fs: FsOps): Promise<Map<string, string[]>> {
  const byName = new Map<string, string[]>();
  const pending: { dir: string; depth: number }[] = [{ dir: root, depth: 0 }];
  let count = 0;
  while (pending.length > 0 && count < NAME_INDEX_MAX_FILES) {
    const { dir, depth } = pending.pop()!;
    let entries;
    try {
      entries = await fs.readdirEntries(dir);
    } catch {
      continue;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!UNSEARCHED_DIRS.has(entry.name) && depth < NAME_INDEX_MAX_DEPTH) pending.push({ dir: path, depth: depth + 1 });
      } else if (entry.isFile()) {
        const list = byName.get(entry.name);
        if (list) list.push(path);
        else byName.set(entry.name, [path]);
        if (++count >= NAME_INDEX_MAX_FILES) break;
      }
    }
  }
  return byName;
}

/** Symlink hops before a path is given up on, as the kernel's ELOOP limit. */
const MAX_SYMLINK_HOPS = 40;

function isWithin(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * A resolver that walks each path from its root one component at a time. Only
 * components already known to be inside a root are lstat'ed; a symlink's target
 * is checked as text before it is followed. The roots themselves are taken as
 * given (the editor names them), so not even their parents are looked at.
 */
export function confinedResolver(roots: readonly string[], fs: FsOps = asyncFsOps): Confine {
  const resolvedRoots = roots.map((root) => resolve(root));
  const locate = (path: string) => {
    const root = resolvedRoots.find((candidate) => isWithin(candidate, path));
    return root === undefined ? undefined : { root, parts: relative(root, path).split(sep).filter((part) => part !== '') };
  };

  return async (path) => {
    let start = locate(resolve(path));
    if (!start) return undefined;
    let current = start.root;
    // No '..' is left in `parts`: `resolve` and `relative` have normalised every path that gets here.
    let pending = start.parts;
    let hops = 0;
    while (pending.length > 0) {
      const next = join(current, pending.shift()!);
      let stat;
      try {
        stat = await fs.lstat(next);
      } catch {
        // Missing (or unreadable): nothing beyond it exists, so nothing outside can be reached through it.
        return join(next, ...pending);
      }
      if (!stat.isSymbolicLink()) {
        current = next;
        continue;
      }
      if (++hops > MAX_SYMLINK_HOPS) return undefined;
      let target;
      try {
        target = await fs.readlink(next);
      } catch {
        return undefined;
      }
      start = locate(resolve(current, target));
      if (!start) return undefined;
      current = start.root;
      pending = [...start.parts, ...pending];
    }
    return current;
  };
}

function failure(path: string, error: unknown): ReadResult {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: false, path, problem: 'missing', message: 'the file does not exist' };
  if (code === 'EACCES' || code === 'EPERM') return { ok: false, path, problem: 'unreadable', message: 'permission denied' };
  if (code === 'EISDIR') return { ok: false, path, problem: 'directory', message: 'it is a directory' };
  return { ok: false, path, problem: 'unreadable', message: `it could not be read (${code ?? 'unknown error'})` };
}

function describeSpecial(stat: import('node:fs').Stats): string {
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'a special file';
}

export function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(0)} KiB`;
  return `${bytes} bytes`;
}

/**
 * nginx-style glob: wildcards within path segments, no `**`. Results sorted, as nginx's glob() sorts them.
 * Every folder is confined before it is listed, and every match before it is stat'ed.
 */
async function glob(pattern: string, limit: number, confine: Confine, fs: FsOps): Promise<string[]> {
  const absolute = resolve(pattern);
  const parts = absolute.split(sep);
  const firstMagic = parts.findIndex(hasGlobMagic);
  if (firstMagic < 0) return [absolute];
  let candidates = [parts.slice(0, firstMagic).join(sep) || sep];
  for (let i = firstMagic; i < parts.length && candidates.length > 0; i++) {
    const segment = parts[i];
    const next: string[] = [];
    for (const dir of candidates) {
      if (!hasGlobMagic(segment)) {
        next.push(join(dir, segment));
        continue;
      }
      const real = await confine(dir);
      if (real === undefined) continue;
      let names: string[];
      try {
        names = await fs.readdir(real);
      } catch {
        continue;
      }
      const regex = globSegmentRegex(segment);
      for (const name of names.sort()) {
        if (regex.test(name) && !(name.startsWith('.') && !segment.startsWith('.'))) next.push(join(dir, name));
        if (next.length >= limit) break;
      }
    }
    candidates = next;
  }
  const existing: string[] = [];
  for (const path of candidates) {
    const real = await confine(path);
    if (real === undefined) continue;
    try {
      const stat = await fs.stat(real);
      if (!stat.isDirectory()) existing.push(path);
    } catch {
      // A dangling match is not an include target.
    }
  }
  return existing.sort();
}
