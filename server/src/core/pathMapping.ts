/**
 * Where a key or certificate path named in a config lives on this machine.
 * Configs name paths on the Harbor host or the proxy host (`/data/cert/…`,
 * `/etc/nginx/ssl/…`); the copy the user has sits somewhere in the workspace.
 * In order: the user's `paths:` mappings (longest prefix wins), the path as
 * written, then, for an absolute path that is missing here, the one file in the
 * search roots with the same name and the longest common tail, nearest to the
 * document. Pure: files are reached through the injected FileAccess.
 */
import { basename, isAbsolute, normalize, resolve } from 'node:path/posix';
import { compareText } from './text';
import type { FileAccess, ReadResult } from './types';

/** `from` and `to` are absolute, normalised, with `/` separators and no trailing `/`. */
export interface PathMapping {
  from: string;
  to: string;
}

/** How a file was found: as written, through a `paths:` mapping, or by name in the workspace. */
export type LocatedVia = 'as-written' | 'mapping' | 'search';

export interface PathEnvironment {
  files: FileAccess;
  mappings: readonly PathMapping[];
  /** Folders searched for a missing absolute path's file by name (workspace folders, the CLI's paths). */
  searchRoots: readonly string[];
  /** Folder of the document naming the path: among candidates, the nearest to it wins. */
  documentDir?: string;
}

export type LocatedRead =
  | { ok: true; path: string; via: LocatedVia; bytes: Uint8Array }
  | { ok: false; path: string; problem: Extract<ReadResult, { ok: false }>['problem']; message: string; via: LocatedVia; candidates?: string[] };

const toSlashes = (path: string) => path.replace(/\\/g, '/');

function clean(path: string): string {
  const normalized = normalize(toSlashes(path));
  return normalized.length > 1 ? normalized.replace(/\/+$/, '') : normalized;
}

/**
 * Reads `paths:` as written in `.harbor-audit.yaml`, VS Code settings or `--path-map FROM=TO`:
 * an absolute `from`, a `to` relative to `baseDir` (the folder of the settings file or the working directory).
 */
export function anchorMappings(entries: Record<string, string> | readonly [string, string][], baseDir: string): { mappings: PathMapping[]; problems: string[] } {
  const pairs = Array.isArray(entries) ? entries : Object.entries(entries);
  const mappings: PathMapping[] = [];
  const problems: string[] = [];
  for (const [from, to] of pairs) {
    if (typeof from !== 'string' || typeof to !== 'string' || from.trim() === '' || to.trim() === '') {
      problems.push(`path mapping \`${String(from)}\` must map an absolute path to a folder or file`);
      continue;
    }
    if (!isAbsolute(toSlashes(from.trim()))) {
      problems.push(`path mapping \`${from}\`: the path to map must be absolute, as the config names it`);
      continue;
    }
    mappings.push({ from: clean(from.trim()), to: clean(resolve(toSlashes(baseDir), toSlashes(to.trim()))) });
  }
  return { mappings, problems };
}

/** The path under the longest mapping whose `from` is the path or one of its folders. */
export function mapPath(path: string, mappings: readonly PathMapping[]): string | undefined {
  const target = clean(path);
  let best: PathMapping | undefined;
  for (const mapping of mappings) {
    const covers = target === mapping.from || target.startsWith(mapping.from === '/' ? '/' : `${mapping.from}/`);
    // `>=`: of two mappings of the same folder, the later source (editor settings over the file) wins.
    if (covers && (!best || mapping.from.length >= best.from.length)) best = mapping;
  }
  if (!best) return undefined;
  const rest = target.slice(best.from === '/' ? 1 : best.from.length).replace(/^\//, '');
  return rest ? `${best.to}/${rest}` : best.to;
}

function segments(path: string): string[] {
  return clean(path).split('/').filter(Boolean);
}

function commonTail(a: string[], b: string[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[a.length - 1 - n] === b[b.length - 1 - n]) n++;
  return n;
}

function commonHead(a: string[], b: string[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

/**
 * The file that stands for a missing absolute path: same name, nearest the
 * document, then the longest common tail. Two equally good candidates are
 * returned as ambiguous: guessing between them could report a mismatch that is not there.
 */
export function pickCandidate(written: string, candidates: readonly string[], documentDir: string | undefined): { path?: string; ambiguous: string[] } {
  const wanted = segments(written);
  const dir = documentDir ? segments(documentDir) : [];
  const scored = [...new Set(candidates.map(clean))]
    .map((path) => ({ path, near: commonHead(segments(path), dir), tail: commonTail(segments(path), wanted) }))
    .filter((c) => c.tail >= 1);
  if (scored.length === 0) return { ambiguous: [] };
  scored.sort((a, b) => b.near - a.near || b.tail - a.tail || compareText(a.path, b.path));
  const best = scored.filter((c) => c.near === scored[0].near && c.tail === scored[0].tail);
  return best.length === 1 ? { path: best[0].path, ambiguous: [] } : { ambiguous: best.map((c) => c.path) };
}

/** Reads the file a config names, wherever it lives here (see the module comment). */
export async function readLocated(env: PathEnvironment, path: string, written: string, maxBytes: number): Promise<LocatedRead> {
  const mapped = mapPath(path, env.mappings);
  if (mapped !== undefined) {
    const result = await env.files.readFile(mapped, { maxBytes });
    return result.ok ? { ...result, via: 'mapping' } : { ...result, via: 'mapping' };
  }
  const direct = await env.files.readFile(path, { maxBytes });
  if (direct.ok || direct.problem !== 'missing' || !isAbsolute(toSlashes(written)) || !env.files.findByName || env.searchRoots.length === 0) {
    return direct.ok ? { ...direct, via: 'as-written' } : { ...direct, via: 'as-written' };
  }
  const candidates = await env.files.findByName(basename(clean(path)), env.searchRoots);
  const pick = pickCandidate(path, candidates, env.documentDir);
  if (!pick.path) return { ...direct, via: 'as-written', ...(pick.ambiguous.length > 1 ? { candidates: pick.ambiguous } : {}) };
  const found = await env.files.readFile(pick.path, { maxBytes });
  return found.ok ? { ...found, via: 'search' } : { ...direct, via: 'as-written' };
}
