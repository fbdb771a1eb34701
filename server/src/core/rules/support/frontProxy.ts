/**
 * Shared by the front-proxy header rules (HB-PROXY-XFP, HB-PROXY-HOST,
 * HB-PROXY-FWD-HOST, HB-PROXY-AUTH-HEADER) and HB-INTERNAL-XFP: which
 * locations serve Harbor's requests, which header lines are in effect there
 * (all-or-nothing `proxy_set_header` lists), and fixes that insert header lines
 * into the block where nginx will actually use them.
 */
import type { NginxDirective } from '../../nginx/ast';
import { anchorInRoot, effectiveDirective, effectiveList, insertFirstInBlock, lineIndentAt, locationFor, type HarborRequest, type NginxModel, type Scope, type ServerBlock } from '../../nginx/model';
import type { Span, TextEdit } from '../../types';

/** Header lines Harbor's own nginx sets in every location (and the forwarding headers the registry reads). */
export const HARBOR_HEADERS = ['host', 'x-real-ip', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port', 'forwarded'];

/** A location (or the server, when no location matches) that proxies some of Harbor's requests. */
export interface ServedLocation {
  server: ServerBlock;
  scope: Scope;
  requests: HarborRequest[];
  proxyPass: NginxDirective;
}

/** The proxying locations of every Harbor server for these requests, each once, with the requests it serves. */
export function servedLocations(model: NginxModel, requests: readonly HarborRequest[]): ServedLocation[] {
  const result: ServedLocation[] = [];
  for (const server of model.servers) {
    if (!server.harbor || !server.scope.block) continue;
    for (const request of requests) {
      const scope = locationFor(server.scope, request.path);
      const proxyPass = effectiveDirective(scope, 'proxy_pass');
      if (!proxyPass || proxyPass.templated) continue;
      // `proxy_pass` is not inherited: it must be in the location itself (or an `if` inside it).
      if (scope.block && proxyPass.file && !scope.directives.includes(proxyPass) && scope.block.name === 'location') continue;
      const existing = result.find((entry) => entry.scope.block === scope.block && entry.server === server);
      if (existing) {
        if (!existing.requests.includes(request)) existing.requests.push(request);
      } else result.push({ server, scope, requests: [request], proxyPass });
    }
  }
  return result;
}

/** `proxy_set_header` lines for `name` (case-insensitive), in order. */
export function headerLines(list: readonly NginxDirective[], name: string): NginxDirective[] {
  return list.filter((d) => d.args[0]?.value.toLowerCase() === name.toLowerCase());
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
    const found = outer.directives.filter((d) => d.name === 'proxy_set_header');
    if (found.length > 0) {
      hiddenList = found;
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

/** `listen` / `ssl on` / QUIC: TLS terminates in this server. */
export function terminatesTls(server: ServerBlock): boolean {
  if (server.listens.some((args) => args.some((a) => a === 'ssl' || a === 'quic' || a === 'http3'))) return true;
  return server.scope.directives.some((d) => d.name === 'ssl' && d.args[0]?.value === 'on');
}

/** The scheme of `proxy_pass`: `http`, `https`, or undefined for an unusual target. */
export function upstreamScheme(proxyPass: NginxDirective): 'http' | 'https' | undefined {
  const match = /^(https?):\/\//i.exec(proxyPass.args[0]?.value ?? '');
  return match ? (match[1].toLowerCase() as 'http' | 'https') : undefined;
}

/** Host (and port) of `proxy_pass`, as nginx's `$proxy_host` would be. */
export function proxyHost(proxyPass: NginxDirective): string | undefined {
  const match = /^https?:\/\/([^/]+)/i.exec(proxyPass.args[0]?.value ?? '');
  return match ? match[1] : undefined;
}

/** Ports the server listens on, with whether each is TLS. Unix sockets are left out. */
export function listenPorts(server: ServerBlock): { port: number; tls: boolean }[] {
  const sslOn = server.scope.directives.some((d) => d.name === 'ssl' && d.args[0]?.value === 'on');
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
  const text = JSON.stringify(allDirectives(server.scope).map((d) => [d.name, d.args.map((a) => a.value)]));
  if (text.includes('$http_x_forwarded_proto')) reasons.push('it reads $http_x_forwarded_proto from a proxy in front of it');
  return reasons;
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

/** A `map $http_x_forwarded_proto $var { ... }` block visible to the server, by its variable. */
export function findMap(server: ServerBlock, variable: string): NginxDirective | undefined {
  for (let level: Scope | null = server.scope.parent; level; level = level.parent) {
    const found = level.directives.find((d) => d.name === 'map' && d.block && d.args[1]?.value === variable);
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
    for (const d of level.directives) {
      if (d.name !== 'map' || !d.block || d.args[0]?.value !== '$http_x_forwarded_proto') continue;
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

function eolOf(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

/** The shared insertion (first directives of a block, one-line blocks kept whole). */
export const insertLines = insertFirstInBlock;

/** One level of indentation as the file uses it (the step from a block's line to its first directive). */
export function indentUnit(text: string, block: NginxDirective, innerIndent: string): string {
  const outer = lineIndentAt(text, block.span.start);
  const step = innerIndent.startsWith(outer) ? innerIndent.slice(outer.length) : '';
  return step !== '' ? step : innerIndent.includes('\t') ? '\t' : '    ';
}

/** The map from §2.6 as lines, for the http block. */
export function forwardedProtoMapLines(text: string, http: NginxDirective): TextEdit | undefined {
  const edit = insertLines(text, http, ['map $http_x_forwarded_proto $harbor_fwd_proto {']);
  if (!edit) return undefined;
  const eol = eolOf(text);
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
  const edit = insertLines(text, target, lines);
  return edit ? [edit] : undefined;
}

/** A directive's arguments as written (quotes kept), from another file or this one. */
export function sourceOf(d: NginxDirective, files?: { path: string; text: string }[]): string {
  const raw = files?.find((f) => f.path === d.file)?.text;
  if (raw) return d.args.map((a) => raw.slice(a.span.start, a.span.end)).join(' ');
  return d.args.map((a) => (a.quote ? `${a.quote}${a.value.replace(new RegExp(a.quote, 'g'), `\\${a.quote}`)}${a.quote}` : a.value)).join(' ');
}

/** Where to report a finding about `directive` in the checked file, or undefined if it is not reachable from it. */
export function reportSpan(model: NginxModel, directive: NginxDirective, useName = true): Span | undefined {
  const anchor = anchorInRoot(model, directive);
  if (!anchor) return undefined;
  if (anchor !== directive) return anchor.span;
  return useName ? headSpan(directive) : directive.span;
}

/** A block directive's head (`location /v2/`), not its whole block. */
export function headSpan(directive: NginxDirective): Span {
  if (!directive.block) return directive.span;
  const last = directive.args[directive.args.length - 1];
  return { start: directive.nameSpan.start, end: last ? last.span.end : directive.nameSpan.end };
}

/** How a message names a location: `location /v2/` or `server harbor.example.com`. */
export function describeScope(scope: Scope | null, server: ServerBlock): string {
  const block = scope?.block;
  if (block && block.name !== 'server') return `${block.name} ${block.args.map((a) => a.value).join(' ')}`.trim();
  if (block && block.name === 'http') return 'http';
  return `server ${server.names[0] ?? ''}`.trim();
}

/** `PATCH /v2/<repo>/blobs/uploads/<id>` and `PUT …` share a path: name them together. */
export function requestLabels(requests: readonly HarborRequest[]): string {
  return requests.map((r) => r.label).join(', ');
}
