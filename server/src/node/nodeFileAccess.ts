/**
 * The file system behind the core's FileAccess. It never blocks: devices and
 * FIFOs are refused by their type before any open, and reads stop at maxBytes.
 */
import { constants, promises as fs } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { FileAccess, ReadResult } from '../core/types';

export interface NodeFileAccessOptions {
  /** When set (an untrusted workspace), nothing outside these folders is read. */
  allowedRoots?: string[];
  /** Upper bound on glob results, against `include /*` style accidents. */
  maxGlobResults?: number;
}

export function createNodeFileAccess(options: NodeFileAccessOptions = {}): FileAccess {
  const allowed = (path: string) =>
    !options.allowedRoots || options.allowedRoots.some((root) => {
      const rel = relative(resolve(root), resolve(path));
      return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
    });

  return {
    async readFile(path, { maxBytes }): Promise<ReadResult> {
      if (!allowed(path)) return { ok: false, path, problem: 'outside-workspace', message: 'it is outside the workspace, and this workspace is not trusted' };
      let stat;
      try {
        stat = await fs.stat(path);
      } catch (error) {
        return failure(path, error);
      }
      if (stat.isDirectory()) return { ok: false, path, problem: 'directory', message: 'it is a directory' };
      if (!stat.isFile()) return { ok: false, path, problem: 'not-regular', message: `it is ${describeSpecial(stat)}, not a regular file` };
      if (stat.size > maxBytes) return { ok: false, path, problem: 'too-large', message: `it is ${formatSize(stat.size)}, over the ${formatSize(maxBytes)} limit` };
      let handle;
      try {
        // O_NONBLOCK: should the file have become a FIFO since stat, open must not wait for a writer.
        handle = await fs.open(path, constants.O_RDONLY | constants.O_NONBLOCK);
        const buffer = Buffer.alloc(maxBytes + 1);
        let length = 0;
        for (;;) {
          const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
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
      return glob(pattern, options.maxGlobResults ?? 1024, allowed);
    },
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

function hasMagic(segment: string): boolean {
  return /[*?[]/.test(segment);
}

function segmentRegExp(segment: string): RegExp {
  let source = '';
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i];
    if (ch === '*') source += '[^/]*';
    else if (ch === '?') source += '[^/]';
    else if (ch === '[') {
      const close = segment.indexOf(']', i + 1);
      if (close < 0) source += '\\[';
      else {
        source += '[' + segment.slice(i + 1, close).replace(/^!/, '^').replace(/\\/g, '\\\\') + ']';
        i = close;
      }
    } else source += ch.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** nginx-style glob: wildcards within path segments, no `**`. Results sorted, as nginx's glob() sorts them. */
async function glob(pattern: string, limit: number, allowed: (path: string) => boolean): Promise<string[]> {
  const absolute = resolve(pattern);
  const parts = absolute.split(sep);
  const firstMagic = parts.findIndex(hasMagic);
  if (firstMagic < 0) return [absolute];
  let candidates = [parts.slice(0, firstMagic).join(sep) || sep];
  for (let i = firstMagic; i < parts.length && candidates.length > 0; i++) {
    const segment = parts[i];
    const next: string[] = [];
    for (const dir of candidates) {
      if (!hasMagic(segment)) {
        next.push(join(dir, segment));
        continue;
      }
      let names: string[];
      try {
        names = await fs.readdir(dir);
      } catch {
        continue;
      }
      const regex = segmentRegExp(segment);
      for (const name of names.sort()) {
        if (regex.test(name) && !(name.startsWith('.') && !segment.startsWith('.'))) next.push(join(dir, name));
        if (next.length >= limit) break;
      }
    }
    candidates = next;
  }
  const existing: string[] = [];
  for (const path of candidates) {
    if (!allowed(path)) continue;
    try {
      const stat = await fs.stat(path);
      if (!stat.isDirectory()) existing.push(path);
    } catch {
      // A dangling match is not an include target.
    }
  }
  return existing.sort();
}
