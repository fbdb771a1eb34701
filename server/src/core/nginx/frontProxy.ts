/**
 * A front nginx as Harbor's clients meet it: which servers proxy to Harbor,
 * which location serves each of Harbor's requests there and with which
 * effective directives (scalars, the all-or-nothing `proxy_set_header` list,
 * the `proxy_pass` target), and where a finding about a directive belongs in
 * the checked document. Every front-proxy rule (HB-PROXY-*, HB-INTERNAL-XFP)
 * reads nginx through this module, so inheritance, includes and anchoring are
 * answered one way.
 */
import type { Report } from '../rules/rule';
import type { Span, TextEdit } from '../types';
import type { NginxDirective, NginxFile } from './ast';
import { eolAt, indentUnit, insertFirstInBlock } from './edits';
import { anchorInRoot, effectiveDirective, effectiveList, locationFor, ownDirectives, HARBOR_REQUESTS, type HarborRequest, type NginxModel, type Scope, type ServerBlock } from './model';
import { findAll, findAllInFiles } from './walk';

// ---------------------------------------------------------------------------
// Servers and the locations that serve Harbor's requests

/** Servers of a front nginx that proxy to Harbor (never Harbor's own nginx). */
export function harborFrontServers(nginx: NginxModel | undefined): ServerBlock[] {
  if (!nginx || nginx.role !== 'front') return [];
  return nginx.servers.filter((server) => server.harbor && server.scope.block && !server.scope.block.templated);
}

/** The scope's own directives named `name` (no inheritance), as a new array. */
export function own(scope: Scope, name: string): NginxDirective[] {
  return [...ownDirectives(scope, name)];
}

/** The location (or server) itself proxies the request: `proxy_pass` is not inherited by nested locations. */
export function proxyPassOf(scope: Scope): NginxDirective | undefined {
  const found = ownDirectives(scope, 'proxy_pass');
  return found[found.length - 1];
}

/** Where nginx serves `request` in `server`: the location nginx picks (or the server) and its own `proxy_pass`. */
export interface Serving {
  scope: Scope;
  proxyPass: NginxDirective | undefined;
}

// Location lookups memoised per server and path: several rules ask for the same requests.
const servings = new WeakMap<Scope, Map<string, Serving>>();

export function servingFor(server: ServerBlock, request: HarborRequest): Serving {
  let byPath = servings.get(server.scope);
  if (!byPath) {
    byPath = new Map();
    servings.set(server.scope, byPath);
  }
  let serving = byPath.get(request.path);
  if (!serving) {
    const scope = locationFor(server.scope, request.path);
    serving = { scope, proxyPass: proxyPassOf(scope) };
    byPath.set(request.path, serving);
  }
  return serving;
}

/** A location (or the server, when no location matches) that proxies some of Harbor's requests. */
export interface ServedLocation {
  server: ServerBlock;
  scope: Scope;
  requests: HarborRequest[];
  proxyPass: NginxDirective;
}

/**
 * The proxying locations of every Harbor server for these requests, each once,
 * with the requests it serves, in server order. A templated `proxy_pass` is
 * left out: its target is unknown.
 */
export function servedLocations(model: NginxModel | undefined, requests: readonly HarborRequest[]): ServedLocation[] {
  const result: ServedLocation[] = [];
  for (const server of harborFrontServers(model)) {
    // Keyed by block: the server itself serves a request that no location matches.
    const byBlock = new Map<NginxDirective | Scope, ServedLocation>();
    for (const request of requests) {
      const { scope, proxyPass } = servingFor(server, request);
      if (!proxyPass || proxyPass.templated) continue;
      const key = scope.block ?? scope;
      const existing = byBlock.get(key);
      if (existing) {
        if (!existing.requests.includes(request)) existing.requests.push(request);
        continue;
      }
      const entry = { server, scope, requests: [request], proxyPass };
      byBlock.set(key, entry);
      result.push(entry);
    }
  }
  return result;
}

/** The scope inherits from an `http {}` that is in view: in this file, or in the includer found for a conf.d file. */
export function inheritsVisibleHttp(scope: Scope): boolean {
  for (let level = scope.parent; level; level = level.parent) if (level.block?.name === 'http') return true;
  return false;
}

/** For each Harbor server, the location serving blob upload PATCH/PUT, where it proxies the request itself. */
export function uploadLocations(nginx: NginxModel | undefined): { server: ServerBlock; location: Scope }[] {
  const found: { server: ServerBlock; location: Scope }[] = [];
  for (const server of harborFrontServers(nginx)) {
    const { scope, proxyPass } = servingFor(server, HARBOR_REQUESTS.blobUploadChunk);
    if (proxyPass) found.push({ server, location: scope });
  }
  return found;
}

/** The location's or server's value of a scalar directive, if set anywhere up the chain and usable. */
export function effectiveValue(scope: Scope, name: string): { directive: NginxDirective; value: string } | undefined {
  const directive = effectiveDirective(scope, name);
  if (!directive || directive.templated || directive.args.some((a) => a.templated)) return undefined;
  return { directive, value: directive.args.map((a) => a.value).join(' ') };
}

// ---------------------------------------------------------------------------
// Request headers (`proxy_set_header` lists: the innermost level with any wins)

/** Header lines Harbor's own nginx sets in every location (and the forwarding headers the registry reads). */
export const HARBOR_HEADERS = ['host', 'x-real-ip', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port', 'forwarded'];

/** `proxy_set_header` lines for `name` (case-insensitive), in order. */
export function headerLines(list: readonly NginxDirective[], name: string): NginxDirective[] {
  const wanted = name.toLowerCase();
  return list.filter((d) => d.args[0]?.value.toLowerCase() === wanted);
}

export interface HeaderState {
  /** The list in effect (from `level`). */
  list: NginxDirective[];
  level: Scope | null;
  /** The first line for the header in the effective list (the value the backend reads first). */
  line: NginxDirective | undefined;
  /** The list of the nearest outer level that `level` hides (what nginx would use without `level`'s own list). */
  hiddenList: NginxDirective[];
  hiddenLevel: Scope | null;
  /** Lines for this header in the hidden list. */
  hiddenLines: NginxDirective[];
}

export function headerState(scope: Scope, name: string): HeaderState {
  const { directives, level } = effectiveList(scope, 'proxy_set_header');
  let hiddenList: NginxDirective[] = [];
  let hiddenLevel: Scope | null = null;
  for (let outer = level?.parent ?? null; outer; outer = outer.parent) {
    const found = ownDirectives(outer, 'proxy_set_header');
    if (found.length > 0) {
      hiddenList = [...found];
      hiddenLevel = outer;
      break;
    }
  }
  return { list: directives, level, line: headerLines(directives, name)[0], hiddenList, hiddenLevel, hiddenLines: headerLines(hiddenList, name) };
}

/** The value of a `proxy_set_header` line (its second argument; empty when missing). */
export function headerValue(line: NginxDirective): string {
  return line.args[1]?.value ?? '';
}

/** A `map $http_x_forwarded_proto $var { ... }` block visible to the server, by its variable. */
export function findMap(server: ServerBlock, variable: string): NginxDirective | undefined {
  for (let level: Scope | null = server.scope.parent; level; level = level.parent) {
    const found = ownDirectives(level, 'map').find((d) => d.block && d.args[1]?.value === variable);
    if (found) return found;
  }
  return undefined;
}

/** The value a map yields when the client sends no X-Forwarded-Proto (its `""` entry, else its default). */
export function mapEmptyBranch(map: NginxDirective): string | undefined {
  const entries = map.block ?? [];
  return (entries.find((d) => d.name === '') ?? entries.find((d) => d.name === 'default'))?.args[0]?.value;
}

export const FWD_PROTO_MAP_VAR = '$harbor_fwd_proto';

/** An existing map of $http_x_forwarded_proto with a fallback to $scheme, for the server. */
export function existingForwardedProtoMap(server: ServerBlock): string | undefined {
  for (let level: Scope | null = server.scope.parent; level; level = level.parent) {
    for (const d of ownDirectives(level, 'map')) {
      if (!d.block || d.args[0]?.value !== '$http_x_forwarded_proto') continue;
      const entries = d.block;
      const def = entries.find((e) => e.name === 'default')?.args[0]?.value;
      const empty = entries.find((e) => e.name === '')?.args[0]?.value;
      if (def === '$http_x_forwarded_proto' && (empty === '$scheme' || empty === 'https')) return d.args[1]?.value;
    }
  }
  return undefined;
}

/** The `http` block of the checked file that holds this server, if any. */
export function rootHttpBlock(model: NginxModel, server: ServerBlock): NginxDirective | undefined {
  const parent = server.scope.parent?.block;
  return parent && parent.name === 'http' && parent.file === model.root.path ? parent : undefined;
}

// ---------------------------------------------------------------------------
// TLS and listen ports

/** `listen` / `ssl on` / QUIC: TLS terminates in this server. */
export function terminatesTls(server: ServerBlock): boolean {
  if (server.listens.some((args) => args.some((a) => a === 'ssl' || a === 'quic' || a === 'http3'))) return true;
  return ownDirectives(server.scope, 'ssl').some((d) => d.args[0]?.value === 'on');
}

/** Ports the server listens on, with whether each is TLS. Unix sockets are left out. */
export function listenPorts(server: ServerBlock): { port: number; tls: boolean }[] {
  const sslOn = ownDirectives(server.scope, 'ssl').some((d) => d.args[0]?.value === 'on');
  const ports: { port: number; tls: boolean }[] = [];
  for (const args of server.listens) {
    const address = args[0] ?? '';
    if (address.startsWith('unix:') || /[$]/.test(address)) continue;
    const match = /(?:^|:)(\d+)$/.exec(address);
    const port = match ? Number(match[1]) : 80;
    ports.push({ port, tls: sslOn || args.includes('ssl') || args.includes('quic') });
  }
  if (ports.length === 0 && server.listens.length === 0) ports.push({ port: 80, tls: sslOn });
  return ports;
}

/** Listen ports that are not the default for their scheme (443 with TLS, 80 without). */
export function nonDefaultPorts(server: ServerBlock): number[] {
  return [...new Set(listenPorts(server).filter((p) => p.port !== (p.tls ? 443 : 80)).map((p) => p.port))];
}

export function allDirectives(scope: Scope): NginxDirective[] {
  const all: NginxDirective[] = [];
  const stack = [...scope.directives];
  while (stack.length > 0) {
    const d = stack.pop()!;
    all.push(d);
    if (d.block) stack.push(...d.block);
  }
  return all;
}

// Whether a server reads $http_x_forwarded_proto anywhere: asked for each of its locations, computed once.
const readsForwardedProto = new WeakMap<Scope, boolean>();

function serverReadsForwardedProto(server: ServerBlock): boolean {
  let reads = readsForwardedProto.get(server.scope);
  if (reads === undefined) {
    reads = allDirectives(server.scope).some((d) => d.name.includes('$http_x_forwarded_proto') || d.args.some((a) => a.value.includes('$http_x_forwarded_proto')));
    readsForwardedProto.set(server.scope, reads);
  }
  return reads;
}

/**
 * Signs in the file that clients reach this plain-HTTP server through another
 * TLS terminator (a load balancer, ingress or CDN). Each entry says why.
 */
export function behindTlsTerminator(server: ServerBlock, location: Scope): string[] {
  const reasons: string[] = [];
  const addHeaders = effectiveList(location, 'add_header').directives;
  if (addHeaders.some((d) => d.args[0]?.value.toLowerCase() === 'strict-transport-security')) reasons.push('it sends Strict-Transport-Security, which browsers only honour over HTTPS');
  const cookie = effectiveDirective(location, 'proxy_cookie_path');
  if (cookie && /\bsecure\b/i.test(cookie.args.map((a) => a.value).join(' '))) reasons.push('it marks cookies Secure');
  if (serverReadsForwardedProto(server)) reasons.push('it reads $http_x_forwarded_proto from a proxy in front of it');
  return reasons;
}

// ---------------------------------------------------------------------------
// proxy_pass targets and upstreams

export interface ProxyTarget {
  scheme: string;
  /** Host or upstream name, lower case, without port. */
  host: string;
  port?: number;
  /** The URI part after the host, if any (`/` in `http://harbor/`). */
  path?: string;
  /** Contains nginx variables: host, port or path may be anything. */
  variable: boolean;
  /** Everything between `://` and the first `/`, as written (nginx's `$proxy_host`). */
  authority: string;
}

export function parseProxyTarget(value: string): ProxyTarget | undefined {
  const match = /^([a-z][a-z0-9+.-]*):\/\/(\[[^\]]+\]|[^/:?]*)(?::(\d+))?(\/[^?]*)?/i.exec(value);
  if (!match) return undefined;
  return {
    scheme: match[1].toLowerCase(),
    host: match[2].toLowerCase(),
    port: match[3] ? Number(match[3]) : undefined,
    path: match[4],
    variable: value.includes('$'),
    authority: /^[^:]*:\/\/([^/]*)/.exec(value)![1],
  };
}

function httpTarget(proxyPass: NginxDirective): ProxyTarget | undefined {
  const target = parseProxyTarget(proxyPass.args[0]?.value ?? '');
  return target && (target.scheme === 'http' || target.scheme === 'https') ? target : undefined;
}

/** The scheme of `proxy_pass`: `http`, `https`, or undefined for an unusual target. */
export function upstreamScheme(proxyPass: NginxDirective): 'http' | 'https' | undefined {
  return httpTarget(proxyPass)?.scheme as 'http' | 'https' | undefined;
}

/** Host (and port) of `proxy_pass`, as nginx's `$proxy_host` would be. */
export function proxyHost(proxyPass: NginxDirective): string | undefined {
  const authority = httpTarget(proxyPass)?.authority;
  return authority ? authority : undefined;
}

type UpstreamMember = { host: string; port?: number; directive: NginxDirective };

// Built once per parse (keyed by the model's files, which a view of the model shares):
// looking upstreams up per proxy_pass was quadratic on large configs.
const upstreamIndexes = new WeakMap<readonly NginxFile[], Map<string, UpstreamMember[]>>();

function upstreamIndex(nginx: NginxModel): Map<string, UpstreamMember[]> {
  let index = upstreamIndexes.get(nginx.files);
  if (index) return index;
  index = new Map();
  for (const upstream of findAllInFiles(nginx.files, 'upstream')) {
    const name = upstream.args[0]?.value.toLowerCase();
    if (name === undefined || !upstream.block) continue;
    const members = index.get(name) ?? [];
    for (const server of upstream.block.filter((d) => d.name === 'server')) {
      const address = server.args[0]?.value ?? '';
      const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(address);
      if (match) members.push({ host: match[1].toLowerCase(), port: match[2] ? Number(match[2]) : undefined, directive: server });
    }
    index.set(name, members);
  }
  upstreamIndexes.set(nginx.files, index);
  return index;
}

/** The `server` members of the upstream block named `name` (lower-case), in any parsed file. */
export function upstreamMembers(nginx: NginxModel, name: string): UpstreamMember[] {
  return upstreamIndex(nginx).get(name) ?? [];
}

/** Harbor's registry container or service (bypassing core): `registry:5000`, `harbor-registry`, `<release>-harbor-registry.<ns>.svc`. */
export function isRegistryHost(host: string, port: number | undefined): boolean {
  const labels = host.split('.');
  const first = labels[0];
  if (labels.length === 1) return first === 'registry' || (/harbor/.test(first) && /[-_]registry$/.test(first));
  if (/harbor[-_]registry$/.test(first) && labels.includes('svc')) return true;
  return /harbor[-_]registry$/.test(first) && (port === 5000 || port === 5443);
}

/** Harbor's own request prefixes: a location on one of these is not a sub-path mount. */
const HARBOR_PATHS = ['/v2', '/v1', '/service', '/api', '/c/', '/chartrepo', '/devcenter', '/swagger', '/account', '/license', '/favicon', '/i18n', '/images', '/setting', '/.well-known'];

function isHarborPath(pattern: string): boolean {
  const plain = pattern.replace(/^\^/, '');
  return plain === '/' || plain === '' || HARBOR_PATHS.some((p) => plain.startsWith(p) || p.startsWith(plain));
}

export interface SubPathMount {
  /** The `location /harbor/` or the `rewrite` that strips the prefix. */
  directive: NginxDirective;
  prefix: string;
}

/**
 * Locations that serve Harbor under a prefix: `location /harbor/ { proxy_pass http://harbor/; }`
 * (the prefix is replaced by the proxy_pass URI) or a `rewrite ^/harbor/(.*) /$1`. Only prefixes or
 * targets that name Harbor count, so other apps sharing the vhost are left alone.
 */
export function subPathMounts(server: Scope): SubPathMount[] {
  const mounts: SubPathMount[] = [];
  const stack: Scope[] = [server];
  while (stack.length > 0) {
    const scope = stack.pop()!;
    for (const directive of scope.directives) {
      if (directive.templated) continue;
      if (directive.name === 'rewrite') {
        const from = directive.args[0]?.value ?? '';
        const match = /^\^(\/[^()$*+?[\\]+?)\/?\(/.exec(from);
        if (match && /harbor/i.test(match[1]) && !isHarborPath(match[1])) mounts.push({ directive, prefix: match[1] });
      }
      if (directive.name !== 'location' || !directive.block) continue;
      const args = directive.args.map((a) => a.value);
      const pattern = args.length >= 2 ? args[1] : args[0] ?? '';
      const modifier = args.length >= 2 ? args[0] : '';
      if ((modifier === '' || modifier === '^~') && pattern.startsWith('/') && !isHarborPath(pattern)) {
        const pass = directive.block.filter((d) => d.name === 'proxy_pass').pop();
        const target = pass ? parseProxyTarget(pass.args[0]?.value ?? '') : undefined;
        // The prefix is stripped (`proxy_pass http://harbor/;`) or passed on (`proxy_pass http://harbor;`, Harbor then gets
        // `/harbor/v2/`): either way Harbor is not at the root. A stripped prefix counts when it or the target names Harbor.
        const stripped = target !== undefined && target.path !== undefined && !target.path.startsWith(pattern.replace(/\/$/, ''));
        if (pass && target && !target.variable && (/harbor/i.test(pattern) || (stripped && /harbor/i.test(target.host)))) {
          mounts.push({ directive, prefix: pattern });
          continue;
        }
      }
      stack.push({ block: directive, parent: scope, directives: directive.block });
    }
  }
  return mounts;
}

// ---------------------------------------------------------------------------
// Where findings go in the checked document, and how messages name places

/** Where a finding about an inherited directive goes: the directive, or the `include` that brings it into this file. */
export function anchorFor(nginx: NginxModel, directive: NginxDirective): { anchor: NginxDirective; inThisFile: boolean } | undefined {
  const anchor = anchorInRoot(nginx, directive);
  if (!anchor) return undefined;
  return { anchor, inThisFile: anchor === directive };
}

export interface Placement {
  /** In the checked document: the span given for `directive`, or the include line that brings it in. */
  span: Span;
  /** Empty in this file; else the directive's own place, so the user can go there. */
  related: NonNullable<Report['related']>;
  /** The directive is written in the checked document, so fixes may edit it. */
  inThisFile: boolean;
}

/**
 * Where a finding about `directive` goes in the checked document. Written in
 * this file: at `span` (default: the directive's head). Spliced in by an
 * include: on that include line, with the directive's own place as related
 * information; the caller then offers no edit, since any would hold the other
 * file's offsets. Undefined when the directive is not reachable from this file.
 */
export function placeFinding(nginx: NginxModel, directive: NginxDirective, relatedMessage: string, span: Span = headSpan(directive)): Placement | undefined {
  const anchor = anchorInRoot(nginx, directive);
  if (!anchor) return undefined;
  if (anchor === directive) return { span, related: [], inThisFile: true };
  return { span: anchor.span, related: relatedFor(nginx, directive, relatedMessage), inThisFile: false };
}

/** Related information pointing at `directive` in whichever file holds it. */
export function relatedFor(nginx: NginxModel, directive: NginxDirective, message: string) {
  return [{ file: directive.file, span: directive.span, message, text: nginx.files.find((f) => f.path === directive.file)?.text }];
}

/** A block directive's head (`location /v2/`), not its whole block. */
export function headSpan(directive: NginxDirective): Span {
  if (!directive.block) return directive.span;
  const last = directive.args[directive.args.length - 1];
  return { start: directive.nameSpan.start, end: last ? last.span.end : directive.nameSpan.end };
}

/** The innermost scope from `scope` up to `server` that is written in the checked file, where a fix can add lines. */
export function editableScope(nginx: NginxModel, scope: Scope, server: Scope): Scope | undefined {
  for (let level: Scope | null = scope; level; level = level.parent) {
    if (level.block && level.block.file === nginx.root.path && !level.block.templated && level.block.blockSpan) return level;
    if (level === server) break;
  }
  return undefined;
}

/** Where a "missing setting" finding goes: the block that serves the request if it is in this file, else the server. */
export function missingAnchor(nginx: NginxModel, location: Scope, server: Scope): NginxDirective | undefined {
  const scope = editableScope(nginx, location, server);
  return scope?.block ?? undefined;
}

/** How a message names a location: `location /v2/` or `server harbor.example.com`. */
export function describeScope(scope: Scope | null, server: ServerBlock): string {
  const block = scope?.block;
  if (block && block.name !== 'server') return `${block.name} ${block.args.map((a) => a.value).join(' ')}`.trim();
  return `server ${server.names[0] ?? ''}`.trim();
}

/** `PATCH /v2/<repo>/blobs/uploads/<id>` and `PUT …` share a path: name them together. */
export function requestLabels(requests: readonly HarborRequest[]): string {
  return requests.map((r) => r.label).join(', ');
}

/** A directive's arguments as written (quotes kept), from another file or this one. */
export function sourceOf(d: NginxDirective, files?: { path: string; text: string }[]): string {
  const raw = files?.find((f) => f.path === d.file)?.text;
  if (raw) return d.args.map((a) => raw.slice(a.span.start, a.span.end)).join(' ');
  return d.args.map((a) => (a.quote ? `${a.quote}${a.value.replace(new RegExp(a.quote, 'g'), `\\${a.quote}`)}${a.quote}` : a.value)).join(' ');
}

// ---------------------------------------------------------------------------
// Fixes that put lines where nginx will use them

/** An edit that adds `lines` as the first directives of `scope`'s block, with the block's indentation. */
export function insertIntoBlock(text: string, scope: Scope, lines: string[]): TextEdit | undefined {
  return scope.block ? insertFirstInBlock(text, scope.block, lines) : undefined;
}

/** The map from §2.6 as lines, for the http block. */
export function forwardedProtoMapLines(text: string, http: NginxDirective): TextEdit | undefined {
  const edit = insertFirstInBlock(text, http, ['map $http_x_forwarded_proto $harbor_fwd_proto {']);
  if (!edit) return undefined;
  const eol = eolAt(text, http.blockSpan!.start);
  const indent = /^[ \t]*/.exec(edit.newText)![0];
  const inner = indent + indentUnit(text, http, indent);
  if (!edit.newText.endsWith(eol)) {
    return { span: edit.span, newText: ' map $http_x_forwarded_proto $harbor_fwd_proto { default $http_x_forwarded_proto; "" $scheme; }' };
  }
  return {
    span: edit.span,
    newText: `${indent}map $http_x_forwarded_proto $harbor_fwd_proto {${eol}${inner}default $http_x_forwarded_proto;${eol}${inner}"" $scheme;${eol}${indent}}${eol}`,
  };
}

/**
 * The fix for a header that is missing or wrong where a request is served:
 * - the line is in effect and in this file: replace its value;
 * - the effective list belongs to a block in this file that hides an outer
 *   list: copy the hidden Harbor lines into that block, with this header's
 *   line set to `value`;
 * - otherwise insert the line into the block whose list is in effect (or the
 *   server, when no level sets any header).
 * Returns undefined when the edit would have to go into another file.
 */
export function headerFix(model: NginxModel, server: ServerBlock, state: HeaderState, name: string, value: string): TextEdit[] | undefined {
  const text = model.root.text;
  if (state.line) {
    if (state.line.file !== model.root.path || state.line.templated) return undefined;
    const arg = state.line.args[1];
    if (!arg) return [{ span: { start: state.line.args[0].span.end, end: state.line.args[0].span.end }, newText: ` ${value}` }];
    return [{ span: arg.span, newText: value }];
  }
  const target = state.level?.block ?? server.scope.block;
  if (!target || target.file !== model.root.path || target.templated) return undefined;
  const lines: string[] = [];
  let placed = false;
  if (state.level && state.hiddenList.length > 0) {
    const present = new Set(state.list.map((d) => d.args[0]?.value.toLowerCase()));
    const copied = new Set<string>();
    for (const d of state.hiddenList) {
      const header = d.args[0]?.value.toLowerCase() ?? '';
      if (!HARBOR_HEADERS.includes(header) || present.has(header) || copied.has(header)) continue;
      copied.add(header);
      if (header === name.toLowerCase()) {
        lines.push(`proxy_set_header ${d.args[0].value} ${value};`);
        placed = true;
      } else lines.push(`proxy_set_header ${sourceOf(d)};`);
    }
  }
  if (!placed) lines.push(`proxy_set_header ${name} ${value};`);
  const edit = insertFirstInBlock(text, target, lines);
  return edit ? [edit] : undefined;
}
