/**
 * The http{} you cannot see (issue 10 item 7). A `conf.d/*.conf` or
 * `sites-available/*` file holds bare `server` blocks: nginx reads it only
 * through an `include` inside another file's `http {}`, and its servers
 * inherit that block's settings. This finds such an includer among the
 * workspace's nginx.conf files, so the file is analysed the way nginx will
 * read it. Files come only through the injected FileAccess (which keeps an
 * untrusted workspace confined); the includer's own includes are not followed.
 */
import { dirname, join, normalize } from 'node:path/posix';
import { decodeBytes } from '../decode';
import { globSegmentRegex } from './glob';
import type { FileAccess } from '../types';
import type { NginxFile } from './ast';
import { scopeAt, type Includer } from './model';
import { parseNginx } from './parser';
import { walkDirectives } from './walk';

/** Candidate main configs read per analysis, and the largest read: a workspace holds a few. */
const MAX_CANDIDATES = 16;
const MAX_BYTES = 1024 * 1024;

/** A file nginx only reads through another file's include at http level: top-level `server` blocks, no `http` or `events`. */
export function isHttpFragment(file: NginxFile): boolean {
  let servers = false;
  for (const directive of file.directives) {
    if (directive.name === 'http' || directive.name === 'events' || directive.name === 'stream') return false;
    if (directive.name === 'server' && directive.block) servers = true;
  }
  return servers;
}

/**
 * The nginx.conf under `searchRoots` whose `http {}` includes `path`, with the
 * include and the http scope; the first by path when several do. Undefined
 * when none is in view (or the FileAccess cannot search).
 */
export async function findIncluder(path: string, files: FileAccess, searchRoots: readonly string[]): Promise<Includer | undefined> {
  if (!files.findByName || searchRoots.length === 0) return undefined;
  const target = normalize(toSlashes(path));
  let candidates: string[];
  try {
    candidates = await files.findByName('nginx.conf', searchRoots);
  } catch {
    return undefined;
  }
  const nearby = candidates.map((c) => normalize(toSlashes(c))).filter((c) => c !== target && mayInclude(c, target));
  for (const candidate of nearby.slice(0, MAX_CANDIDATES)) {
    const read = await files.readFile(candidate, { maxBytes: MAX_BYTES }).catch(() => undefined);
    if (!read?.ok) continue;
    const decoded = decodeBytes(read.bytes);
    if (decoded.problem?.kind === 'binary') continue;
    const file = parseNginx(decoded.text, candidate);
    for (const { directive, parents } of walkDirectives(file.directives)) {
      if (directive.name !== 'include' || directive.templated) continue;
      const arg = directive.args[0];
      if (!arg || arg.templated) continue;
      const enclosing = parents[parents.length - 1];
      if (enclosing?.name !== 'http') continue;
      if (includeMatches(arg.value, toSlashes(candidate), target)) return { file, include: directive, scope: scopeAt(file, parents) };
    }
  }
  return undefined;
}

/**
 * Whether `candidate` sits where an nginx.conf that includes `target` can: its
 * folder, or that folder's parent (`include ../conf.d/*.conf;`), holds the
 * target. An absolute include (`/etc/nginx/conf.d/*.conf`) is matched below the
 * includer's folder too (includeMatches), so nginx.conf files elsewhere in a
 * large workspace are not read for every conf.d file.
 */
function mayInclude(candidate: string, target: string): boolean {
  const folder = dirname(dirname(candidate));
  return folder === '/' || folder === '.' || target.startsWith(folder + '/');
}

function toSlashes(path: string): string {
  return path.replace(/\\/g, '/');
}

/**
 * Whether an include pattern written in `includer` names `file`. A relative
 * pattern resolves against the includer's folder, as nginx does. An absolute
 * one names the path on the proxy host (`/etc/nginx/conf.d/*.conf`): its tail
 * is matched below the includer's folder (`conf.d/*.conf`), keeping at least
 * the folder and the name. Debian enables `sites-available/x` through a
 * symlink in `sites-enabled/`, so that folder also stands for the other.
 */
export function includeMatches(pattern: string, includer: string, file: string): boolean {
  const base = dirname(includer);
  const tails: string[] = [];
  if (!pattern.startsWith('/')) tails.push(pattern);
  else {
    const segments = pattern.split('/').filter((s) => s !== '');
    for (let k = 0; k <= segments.length - Math.min(2, segments.length); k++) tails.push(segments.slice(k).join('/'));
  }
  for (const tail of tails) {
    const full = normalize(join(base, tail));
    if (globMatches(full, file)) return true;
    if (/(^|\/)sites-enabled\//.test(full) && globMatches(full.replace(/(^|\/)sites-enabled\//, '$1sites-available/'), file)) return true;
  }
  return false;
}

/** nginx's glob (`*`, `?`, `[...]` within one path segment) against a path, segment by segment. */
function globMatches(pattern: string, path: string): boolean {
  const patternSegments = pattern.split('/');
  const pathSegments = path.split('/');
  if (patternSegments.length !== pathSegments.length) return false;
  return patternSegments.every((segment, i) => globSegmentRegex(segment).test(pathSegments[i]));
}

