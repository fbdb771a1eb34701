/**
 * What nginx will do with a request: which server and location serve it and
 * which directives are in effect there. Rules ask this model instead of walking
 * the tree, so inheritance and includes are handled once, the way nginx does:
 * scalars come from the nearest level; `proxy_set_header` and `add_header` are
 * all-or-nothing per level; `include` splices a file into the including block.
 */
import { dirname } from 'node:path/posix';
import type { FileAccess } from '../types';
import type { NginxDirective, NginxFile } from './ast';
import { classifyNginx, commentsIn, harborServerEvidence, upstreamHostsIn, type NginxRole } from './harborRecognition';
import { resolveIncludes, type IncludeProblem } from './includes';
import { spliceIncludes } from './walk';

export { classifyNginx, spliceIncludes, type NginxRole };

/** A level of configuration: the main context, `http`, `server`, `location` or `if`. */
export interface Scope {
  /** The block directive; null for the main (file) context. */
  block: NginxDirective | null;
  parent: Scope | null;
  /** The block's directives with includes spliced in. */
  directives: readonly NginxDirective[];
}

/** Files every nginx package ships beside nginx.conf that set no proxy or size directive (proxy_params does). */
export const STOCK_FILES = /(^|\/)(mime\.types|fastcgi_params|fastcgi\.conf|scgi_params|uwsgi_params|koi-utf|koi-win|win-utf)$/;

/** An included file named for TLS settings (`ssl.conf`, `options-ssl-nginx.conf`, `snippets/ssl-params.conf`). */
const SSL_SNIPPET = /(^|\/)[^/]*(ssl|tls|letsencrypt|certbot)[^/]*$/i;

// The include directives of each block, found once: an `http` block holds every server, and each
// server and location asks about the levels above it (scanning them each time grew with servers squared).
const includeLists = new WeakMap<readonly NginxDirective[], readonly NginxDirective[]>();
function includesIn(block: readonly NginxDirective[]): readonly NginxDirective[] {
  let found = includeLists.get(block);
  if (!found) includeLists.set(block, (found = block.filter((d) => d.name === 'include')));
  return found;
}

/**
 * An `include` at `scope` or a level above it that brought in nothing this
 * analysis could read (a file only on the proxy host, such as Debian's
 * `proxy_params` or `/etc/nginx/snippets/…`, a glob matching nothing here, a
 * templated path): it may set what otherwise looks missing, so "no X in
 * effect" cannot be known.
 */
export function unreadIncludeInEffect(model: NginxModel, scope: Scope, upTo: Scope | null = null, headers = false): NginxDirective | undefined {
  // `upTo`: the level whose proxy_set_header list is in effect; includes above it cannot add to that list.
  for (let level: Scope | null = scope; level; level = level === upTo ? null : level.parent) {
    // Included files with their content are spliced in; an include that read nothing is left in the block's own list.
    const own = level.block ? includesIn(level.block.block ?? NONE) : NONE;
    const unread = own.find((d) => {
      // The includer's include of this very file is not followed (it would loop back here).
      if ((d.included?.length ?? 0) > 0 || d === model.includer?.include) return false;
      const path = d.args[0]?.value ?? '';
      // A glob pulls in whole sites or modules (other servers), not settings for this one.
      if (/[*?[]/.test(path)) return false;
      // Only a file that is elsewhere (missing here): a FIFO, a device or a cycle holds no configuration nginx could use.
      if (model.includeProblems.some((problem) => problem.include === d && !(problem.reason === 'read' && problem.problem === 'missing'))) return false;
      // nginx's stock files and TLS snippets (certbot's options-ssl-nginx.conf) set nothing a Harbor check reads;
      // Debian's proxy_params only proxy_set_header lines.
      if (STOCK_FILES.test(path) || SSL_SNIPPET.test(path)) return false;
      return headers || !/(^|\/)proxy_params$/.test(path);
    });
    if (unread) return unread;
  }
  return undefined;
}

export interface ServerBlock {
  scope: Scope;
  names: string[];
  /** Each `listen` directive's arguments. */
  listens: string[][];
  /** This server proxies to Harbor (front role). */
  harbor: boolean;
}

export interface NginxModel {
  root: NginxFile;
  /** The root file first, then every included file. */
  files: NginxFile[];
  includeProblems: IncludeProblem[];
  role: NginxRole;
  servers: ServerBlock[];
  /** For a conf.d/sites file: the workspace's nginx.conf whose `http {}` includes it, which its servers inherit from. */
  includer?: Includer;
}

/** Another file's `include` that splices the checked file into its `http {}` (see includers.ts). */
export interface Includer {
  file: NginxFile;
  include: NginxDirective;
  /** The scope the include stands in: the checked file's top level inherits from it. */
  scope: Scope;
}

/** A request path that Harbor's clients send, with the name users know it by. */
export interface HarborRequest {
  method: string;
  path: string;
  /** How messages name it: `PUT /v2/<repo>/blobs/uploads/<id>`. */
  label: string;
}

export const HARBOR_REQUESTS = {
  portal: { method: 'GET', path: '/', label: 'GET / (the portal)' },
  login: { method: 'POST', path: '/c/login', label: 'POST /c/login' },
  api: { method: 'GET', path: '/api/v2.0/projects', label: 'GET /api/v2.0/projects' },
  token: { method: 'GET', path: '/service/token', label: 'GET /service/token' },
  registryBase: { method: 'GET', path: '/v2/', label: 'GET /v2/' },
  blobUploadStart: { method: 'POST', path: '/v2/p/r/blobs/uploads/', label: 'POST /v2/<repo>/blobs/uploads/' },
  blobUploadChunk: { method: 'PATCH', path: '/v2/p/r/blobs/uploads/uuid', label: 'PATCH /v2/<repo>/blobs/uploads/<id>' },
  blobUploadFinish: { method: 'PUT', path: '/v2/p/r/blobs/uploads/uuid', label: 'PUT /v2/<repo>/blobs/uploads/<id>' },
  manifestPut: { method: 'PUT', path: '/v2/p/r/manifests/t', label: 'PUT /v2/<repo>/manifests/<tag>' },
} satisfies Record<string, HarborRequest>;

/**
 * `knownRole`: the file's role as recognition classified it, before includes were
 * followed; kept when no include brought a file in (the classification would see
 * the same directives), so a large file is not classified twice.
 */
export async function buildNginxModel(root: NginxFile, files: FileAccess, path: string, includer?: Includer, knownRole?: NginxRole): Promise<NginxModel> {
  const resolved = await resolveIncludes(root, files, { configDir: dirname(path) });
  const allFiles = [root, ...resolved.files.filter((file) => file !== root)];
  const role = knownRole && allFiles.length === 1 ? knownRole : classifyNginx(root, allFiles).role;
  return { root, files: allFiles, includeProblems: resolved.problems, role, servers: collectServers(root, allFiles, role, includer?.scope ?? null), ...(includer ? { includer } : {}) };
}

/** The scope of the block that `parents` (outermost first, as walkDirectives lists them) lead to in `file`. */
export function scopeAt(file: NginxFile, parents: readonly NginxDirective[]): Scope {
  let scope = scopeOf(null, null, file.directives);
  for (const parent of parents) scope = scopeOf(parent, scope, parent.block ?? []);
  return scope;
}

function scopeOf(block: NginxDirective | null, parent: Scope | null, directives: readonly NginxDirective[]): Scope {
  return { block, parent, directives: spliceIncludes(directives) };
}

// Each scope's directives by name and its child scopes, built once per scope: rules ask
// for the same names at every location, and an `http` level holds every server.
const byNameIndexes = new WeakMap<Scope, Map<string, NginxDirective[]>>();
const childIndexes = new WeakMap<Scope, Map<string, Scope[]>>();

const NONE: readonly NginxDirective[] = [];

/** Below this many directives a scan is cheaper than building an index (most locations hold a handful). */
const SMALL_SCOPE = 16;

/** The scope's own directives named `name`, in order (no inheritance). */
export function ownDirectives(scope: Scope, name: string): readonly NginxDirective[] {
  if (scope.directives.length <= SMALL_SCOPE) {
    let found: NginxDirective[] | undefined;
    for (const directive of scope.directives) if (directive.name === name) (found ??= []).push(directive);
    return found ?? NONE;
  }
  let index = byNameIndexes.get(scope);
  if (!index) {
    index = new Map();
    for (const directive of scope.directives) {
      const list = index.get(directive.name);
      if (list) list.push(directive);
      else index.set(directive.name, [directive]);
    }
    byNameIndexes.set(scope, index);
  }
  return index.get(name) ?? NONE;
}

/** The scopes of the block directives named `name` directly inside `scope`; the same objects on every call. */
export function childScopes(scope: Scope, name: string): Scope[] {
  if (!scope.directives.some((d) => d.block)) return [];
  let index = childIndexes.get(scope);
  if (!index) {
    index = new Map();
    childIndexes.set(scope, index);
  }
  let children = index.get(name);
  if (!children) {
    children = ownDirectives(scope, name)
      .filter((d) => d.block)
      .map((d) => scopeOf(d, scope, d.block!));
    index.set(name, children);
  }
  return children;
}

function collectServers(root: NginxFile, files: readonly NginxFile[], role: NginxRole, inherited: Scope | null): ServerBlock[] {
  const upstreamHosts = upstreamHostsIn(files);
  const commentsOf = commentsIn(files);
  // A conf.d file's top level sits inside its includer's http {}, when that is in view.
  const main = scopeOf(null, inherited, root.directives);
  // A conf.d file holds bare `server` blocks; nginx.conf holds them inside `http`.
  const serverScopes = [...childScopes(main, 'server'), ...childScopes(main, 'http').flatMap((http) => childScopes(http, 'server'))];
  return serverScopes.map((scope) => {
    const names = ownDirectives(scope, 'server_name').flatMap((d) => d.args.map((a) => a.value));
    const listens = ownDirectives(scope, 'listen').map((d) => d.args.map((a) => a.value));
    return { scope, names, listens, harbor: role === 'front' && harborServerEvidence(scope.block!, upstreamHosts, commentsOf).harbor };
  });
}

/** nginx's own way of picking a location for a URI, including nested locations. */
export function locationFor(scope: Scope, uri: string): Scope {
  const chain = matchLocations(scope, uri);
  return chain.length > 0 ? chain[chain.length - 1] : scope;
}

interface LocationPattern {
  modifier: '' | '=' | '^~' | '~' | '~*' | '@';
  pattern: string;
}

const locationPatterns = new WeakMap<NginxDirective, LocationPattern>();

export function locationPattern(location: NginxDirective): LocationPattern {
  let pattern = locationPatterns.get(location);
  if (!pattern) {
    pattern = readLocationPattern(location);
    locationPatterns.set(location, pattern);
  }
  return pattern;
}

function readLocationPattern(location: NginxDirective): LocationPattern {
  const args = location.args.map((a) => a.value);
  if (args.length >= 2) return { modifier: args[0] as LocationPattern['modifier'], pattern: args[1] };
  const only = args[0] ?? '';
  for (const modifier of ['^~', '~*', '=', '~', '@'] as const) {
    if (only.startsWith(modifier)) return { modifier, pattern: only.slice(modifier.length) };
  }
  return { modifier: '', pattern: only };
}

const regexCache = new Map<string, RegExp | null>();

function regexMatches(pattern: string, caseless: boolean, uri: string): boolean {
  const key = `${caseless ? 'i' : ''}:${pattern}`;
  let regex = regexCache.get(key);
  if (regex === undefined) {
    try {
      regex = new RegExp(pattern, caseless ? 'i' : '');
    } catch {
      regex = null; // PCRE-only syntax: treat as not matching rather than guess.
    }
    regexCache.set(key, regex);
  }
  return regex !== null && regex.test(uri);
}

/** Nested locations deeper than this are not followed (nginx configs nest two or three levels). */
const MAX_LOCATION_DEPTH = 32;

function matchLocations(scope: Scope, uri: string, depth = 0): Scope[] {
  if (depth > MAX_LOCATION_DEPTH) return [];
  const locations = childScopes(scope, 'location');
  let longest: Scope | undefined;
  let longestLength = -1;
  for (const location of locations) {
    const { modifier, pattern } = locationPattern(location.block!);
    if (modifier === '=' && pattern === uri) return [location];
    if ((modifier === '' || modifier === '^~') && uri.startsWith(pattern) && pattern.length > longestLength) {
      longest = location;
      longestLength = pattern.length;
    }
  }
  const prefixChain = longest ? [longest, ...matchLocations(longest, uri, depth + 1)] : [];
  if (longest && locationPattern(longest.block!).modifier === '^~') return prefixChain;
  const innermost = prefixChain[prefixChain.length - 1];
  if (innermost && prefixChain.length > 1) {
    const modifier = locationPattern(innermost.block!).modifier;
    if (modifier === '~' || modifier === '~*') return prefixChain; // a nested regex inside the prefix won
  }
  for (const location of locations) {
    const { modifier, pattern } = locationPattern(location.block!);
    if ((modifier === '~' || modifier === '~*') && regexMatches(pattern, modifier === '~*', uri)) {
      return [location, ...matchLocations(location, uri, depth + 1)];
    }
  }
  return prefixChain;
}

/** The directive nginx uses for a scalar setting: the nearest level that sets it. */
export function effectiveDirective(scope: Scope, name: string): NginxDirective | undefined {
  for (let level: Scope | null = scope; level; level = level.parent) {
    const found = ownDirectives(level, name);
    if (found.length > 0) return found[found.length - 1];
  }
  return undefined;
}

/**
 * For array directives (`proxy_set_header`, `add_header`): the list from the
 * innermost level that has any, which replaces every outer list. `hidden` holds
 * the outer lists that this level hides, for related locations.
 */
export function effectiveList(scope: Scope, name: string): { directives: NginxDirective[]; level: Scope | null; hidden: NginxDirective[] } {
  for (let level: Scope | null = scope; level; level = level.parent) {
    const found = ownDirectives(level, name);
    if (found.length > 0) {
      const hidden: NginxDirective[] = [];
      for (let outer = level.parent; outer; outer = outer.parent) hidden.push(...ownDirectives(outer, name));
      return { directives: [...found], level, hidden };
    }
  }
  return { directives: [], level: null, hidden: [] };
}

/**
 * Where a finding about `directive` belongs in the checked document: the
 * directive itself, or the `include` in the root file that brings it in.
 */
export function anchorInRoot(model: NginxModel, directive: NginxDirective): NginxDirective | undefined {
  if (directive.file === model.root.path) return directive;
  return includeIndex(model).get(directive.file);
}

// For each included file, the root file's `include` that brings it in, built once per parse
// (searching the root per finding was quadratic when many findings sit in included files).
// Keyed by the model's files, which a view of the model (nginxEdits.ts) shares.
const includeIndexes = new WeakMap<readonly NginxFile[], Map<string, NginxDirective>>();

function includeIndex(model: NginxModel): Map<string, NginxDirective> {
  let index = includeIndexes.get(model.files);
  if (index) return index;
  index = new Map();
  const stack = [...model.root.directives];
  while (stack.length > 0) {
    const candidate = stack.pop()!;
    if (candidate.block) stack.push(...candidate.block);
    if (candidate.name !== 'include' || !candidate.included) continue;
    for (const path of filesReachedBy(candidate)) if (!index.has(path)) index.set(path, candidate);
  }
  includeIndexes.set(model.files, index);
  return index;
}

/** Paths of the files an include pulls in, directly or through their own includes. */
function filesReachedBy(include: NginxDirective): Set<string> {
  const reached = new Set<string>();
  const seen = new Set<NginxFile>();
  const pending = [...(include.included ?? [])];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    reached.add(file.path);
    const stack = [...file.directives];
    while (stack.length > 0) {
      const current = stack.pop()!;
      if (current.included) pending.push(...current.included);
      if (current.block) stack.push(...current.block);
    }
  }
  return reached;
}

/** nginx size syntax (`512m`, `1g`, `0`) in bytes; undefined if it is not a size. */
export function parseNginxSize(value: string): number | undefined {
  const match = /^(\d+)([kKmMgG]?)$/.exec(value.trim());
  if (!match) return undefined;
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[match[2].toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Number(match[1]) * unit;
}

/** nginx time syntax (`900`, `900s`, `15m`, `1h 30m`, `500ms`) in seconds; undefined for variables or junk. */
export function parseNginxTime(value: string): number | undefined {
  const units: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, M: 2592000, y: 31536000 };
  const parts = value.trim().split(/\s+/);
  if (parts.length === 0 || parts[0] === '') return undefined;
  let total = 0;
  for (const part of parts) {
    const match = /^(\d+)(ms|s|m|h|d|w|M|y)?$/.exec(part);
    if (!match) return undefined;
    total += Number(match[1]) * units[match[2] ?? 's'];
  }
  return total;
}

/** The port a `listen` directive binds, and whether it is the default server there. */
function listenPort(args: readonly string[]): { port: number; isDefault: boolean } | undefined {
  const address = args[0];
  if (address === undefined || address.startsWith('unix:')) return undefined;
  const port = /^\d+$/.test(address) ? Number(address) : Number(/:(\d+)$/.exec(address)?.[1] ?? 80);
  return { port, isDefault: args.includes('default_server') || args.includes('default') };
}

/** nginx's server_name matching: exact, then the longest leading wildcard, the longest trailing wildcard, then regexes in order. */
function nameMatch(server: ServerBlock, host: string): { rank: number; length: number } | undefined {
  let best: { rank: number; length: number } | undefined;
  const better = (rank: number, length: number) => {
    if (!best || rank < best.rank || (rank === best.rank && length > best.length)) best = { rank, length };
  };
  for (const raw of server.names) {
    const name = raw.toLowerCase();
    if (name === host) better(0, name.length);
    else if (name.startsWith('*.') && host.endsWith(name.slice(1))) better(1, name.length);
    else if (name.startsWith('.') && (host === name.slice(1) || host.endsWith(name))) better(1, name.length);
    else if (name.endsWith('.*') && host.startsWith(name.slice(0, -1))) better(2, name.length);
    else if (name.startsWith('~') && regexMatches(name.slice(1), true, host)) better(3, 0);
  }
  return best;
}

/**
 * The server nginx picks for a request to `host` on `port`: among the servers
 * listening on that port, the best server_name match; otherwise the port's
 * `default_server`, otherwise its first server. Addresses are not compared
 * (a config is read without knowing the machine's interfaces).
 */
export function selectServer(model: NginxModel, host: string, port: number): ServerBlock | undefined {
  const hostname = host.toLowerCase().replace(/:\d+$/, '');
  const listening = model.servers.filter((server) => {
    const ports = server.listens.length > 0 ? server.listens.map((args) => listenPort(args)?.port) : [80];
    return ports.includes(port);
  });
  let chosen: ServerBlock | undefined;
  let chosenMatch: { rank: number; length: number } | undefined;
  for (const server of listening) {
    const match = nameMatch(server, hostname);
    // Regex names are tried in order of appearance: the first that matches wins.
    if (match && (!chosenMatch || match.rank < chosenMatch.rank || (match.rank === chosenMatch.rank && match.rank < 3 && match.length > chosenMatch.length))) {
      chosen = server;
      chosenMatch = match;
    }
  }
  if (chosen) return chosen;
  return listening.find((server) => server.listens.some((args) => listenPort(args)?.port === port && listenPort(args)?.isDefault)) ?? listening[0];
}
