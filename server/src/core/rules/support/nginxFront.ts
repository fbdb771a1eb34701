/**
 * Helpers for the front-proxy rules (HB-PROXY-*): the Harbor servers of a
 * front nginx, where a fix may insert lines, and how to read proxy targets
 * and nginx time values.
 */
import type { NginxDirective } from '../../nginx/ast';
import { locationFor, HARBOR_REQUESTS, anchorInRoot, effectiveDirective, insertFirstInBlock, type NginxModel, type Scope, type ServerBlock } from '../../nginx/model';
import { findAll } from '../../nginx/walk';
import type { TextEdit } from '../../types';

/** Servers of a front nginx that proxy to Harbor (never Harbor's own nginx). */
export function harborFrontServers(nginx: NginxModel | undefined): ServerBlock[] {
  if (!nginx || nginx.role !== 'front') return [];
  return nginx.servers.filter((server) => server.harbor && server.scope.block && !server.scope.block.templated);
}

/** For each Harbor server, the location serving blob upload PATCH/PUT, where it proxies the request itself. */
export function uploadLocations(nginx: NginxModel | undefined): { server: ServerBlock; location: Scope }[] {
  const found: { server: ServerBlock; location: Scope }[] = [];
  for (const server of harborFrontServers(nginx)) {
    const location = locationFor(server.scope, HARBOR_REQUESTS.blobUploadChunk.path);
    if (proxyPassOf(location)) found.push({ server, location });
  }
  return found;
}

/** The scope's own directives named `name` (no inheritance). */
export function own(scope: Scope, name: string): NginxDirective[] {
  return scope.directives.filter((d) => d.name === name);
}

/** The location (or server) itself proxies the request: `proxy_pass` is not inherited by nested locations. */
export function proxyPassOf(scope: Scope): NginxDirective | undefined {
  const found = own(scope, 'proxy_pass');
  return found[found.length - 1];
}

/** The innermost scope from `scope` up to `server` that is written in the checked file, where a fix can add lines. */
export function editableScope(nginx: NginxModel, scope: Scope, server: Scope): Scope | undefined {
  for (let level: Scope | null = scope; level; level = level.parent) {
    if (level.block && level.block.file === nginx.root.path && !level.block.templated && level.block.blockSpan) return level;
    if (level === server) break;
  }
  return undefined;
}

/** An edit that adds `lines` as the first directives of `scope`'s block, with the block's indentation. */
export function insertIntoBlock(text: string, scope: Scope, lines: string[]): TextEdit | undefined {
  return scope.block ? insertFirstInBlock(text, scope.block, lines) : undefined;
}

/** An edit that adds `line` on its own line just before `directive`, with its indentation. */
export function insertBefore(text: string, directive: NginxDirective, line: string): TextEdit {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lineStart = text.lastIndexOf('\n', directive.span.start - 1) + 1;
  const before = text.slice(lineStart, directive.span.start);
  if (/^[ \t]*$/.test(before)) return { span: { start: lineStart, end: lineStart }, newText: `${before}${line}${eol}` };
  return { span: { start: directive.span.start, end: directive.span.start }, newText: `${line} ` };
}

/** An edit that sets the directive's first argument. */
export function replaceFirstArg(directive: NginxDirective, value: string): TextEdit {
  return { span: directive.args[0].span, newText: value };
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

export interface ProxyTarget {
  scheme: string;
  /** Host or upstream name, lower case, without port. */
  host: string;
  port?: number;
  /** The URI part after the host, if any (`/` in `http://harbor/`). */
  path?: string;
  /** Contains nginx variables: host, port or path may be anything. */
  variable: boolean;
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
  };
}

type UpstreamMember = { host: string; port?: number; directive: NginxDirective };

// Built once per model: looking upstreams up per proxy_pass was quadratic on large configs.
const upstreamIndexes = new WeakMap<NginxModel, Map<string, UpstreamMember[]>>();

function upstreamIndex(nginx: NginxModel): Map<string, UpstreamMember[]> {
  let index = upstreamIndexes.get(nginx);
  if (index) return index;
  index = new Map();
  for (const file of nginx.files) {
    for (const upstream of findAll(file.directives, 'upstream')) {
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
  }
  upstreamIndexes.set(nginx, index);
  return index;
}

/** The `server` members of the upstream block named `name` (lower-case), in any parsed file. */
export function upstreamMembers(nginx: NginxModel, name: string): UpstreamMember[] {
  return upstreamIndex(nginx).get(name) ?? [];
}

/** Where a finding about an inherited directive goes: the directive, or the `include` that brings it into this file. */
export function anchorFor(nginx: NginxModel, directive: NginxDirective): { anchor: NginxDirective; inThisFile: boolean } | undefined {
  const anchor = anchorInRoot(nginx, directive);
  if (!anchor) return undefined;
  return { anchor, inThisFile: anchor === directive };
}

export function relatedFor(nginx: NginxModel, directive: NginxDirective, message: string) {
  return [{ file: directive.file, span: directive.span, message, text: nginx.files.find((f) => f.path === directive.file)?.text }];
}

/** The location's or server's value of a scalar directive, if set anywhere up the chain and usable. */
export function effectiveValue(scope: Scope, name: string): { directive: NginxDirective; value: string } | undefined {
  const directive = effectiveDirective(scope, name);
  if (!directive || directive.templated || directive.args.some((a) => a.templated)) return undefined;
  return { directive, value: directive.args.map((a) => a.value).join(' ') };
}

/** Where a "missing setting" finding goes: the block that serves the request if it is in this file, else the server. */
export function missingAnchor(nginx: NginxModel, location: Scope, server: Scope): NginxDirective | undefined {
  const scope = editableScope(nginx, location, server);
  return scope?.block ?? undefined;
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
        if (pass && target && !target.variable && target.path !== undefined && !target.path.startsWith(pattern.replace(/\/$/, '')) && (/harbor/i.test(pattern) || /harbor/i.test(target.host))) {
          mounts.push({ directive, prefix: pattern });
          continue;
        }
      }
      stack.push({ block: directive, parent: scope, directives: directive.block });
    }
  }
  return mounts;
}

/** Harbor's registry container or service (bypassing core): `registry:5000`, `harbor-registry`, `<release>-harbor-registry.<ns>.svc`. */
export function isRegistryHost(host: string, port: number | undefined): boolean {
  const labels = host.split('.');
  const first = labels[0];
  if (labels.length === 1) return first === 'registry' || (/harbor/.test(first) && /[-_]registry$/.test(first));
  if (/harbor[-_]registry$/.test(first) && labels.includes('svc')) return true;
  return /harbor[-_]registry$/.test(first) && (port === 5000 || port === 5443);
}
