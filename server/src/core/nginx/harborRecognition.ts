/**
 * Is this nginx in front of Harbor, Harbor's own, or something else?
 *
 * Harbor's own nginx (every installer and chart version) is recognised by its
 * template's shape: the upstream names and the location → target pairs that
 * `scripts`-generated signatures record per version. A front proxy needs Harbor
 * evidence in a server: one of Harbor's own routes, a target or server_name
 * that names Harbor. A comment or the file's name only counts when nothing in
 * the server points at another product (Nexus, GitLab, Artifactory, registry:2),
 * and a cache zone, log path or other argument that says "harbor" never does.
 */
import type { NginxComment, NginxDirective, NginxFile } from './ast';
import { HARBOR_NGINX_TEMPLATES, type HarborNginxTemplate } from './harborTemplates.generated';
import { spliceIncludes } from './walk';

export type NginxRole = 'front' | 'internal' | 'unrelated';

/** The features of an nginx config that Harbor's templates are compared on. */
export interface NginxShape {
  /** `upstream` block names, lower case. */
  upstreams: string[];
  /** `<location pattern> <proxy_pass target | return code>` for every location of every server. */
  locations: string[];
}

function locationArgs(location: NginxDirective): string {
  return location.args.map((a) => a.value).join(' ');
}

/** What a location does, as a template would write it: its proxy_pass target or its return. */
function locationAction(location: NginxDirective): string | undefined {
  const body = location.block ?? [];
  const pass = body.filter((d) => d.name === 'proxy_pass').pop();
  // Internal TLS only changes the scheme: compare targets as http.
  if (pass) return pass.args[0]?.value.replace(/^https:\/\//i, 'http://');
  const ret = body.filter((d) => d.name === 'return').pop();
  if (ret) return `return ${ret.args.map((a) => a.value).join(' ')}`;
  return undefined;
}

export function nginxShape(directives: readonly NginxDirective[]): NginxShape {
  const upstreams = new Set<string>();
  const locations = new Set<string>();
  const stack = [...directives];
  while (stack.length > 0) {
    const directive = stack.pop()!;
    if (directive.name === 'upstream' && directive.args[0] && !directive.args[0].templated) upstreams.add(directive.args[0].value.toLowerCase());
    if (directive.name === 'location' && directive.block) {
      const action = locationAction(directive);
      if (action !== undefined && !/\{\{|\{%/.test(action)) locations.add(`${locationArgs(directive)} ${action}`);
    }
    if (directive.block) stack.push(...directive.block);
  }
  return { upstreams: [...upstreams].sort(), locations: [...locations].sort() };
}

export interface TemplateMatch {
  template: HarborNginxTemplate;
  /** Share of the template's locations found in the file. */
  score: number;
}

/** A match needs Harbor's upstream names and most of a template's locations with the same targets. */
const MIN_SCORE = 0.6;
const MIN_LOCATIONS = 3;

/** The Harbor template (installer or chart, some versions) this config was rendered from, if any. */
export function matchHarborTemplate(shape: NginxShape): TemplateMatch | undefined {
  const upstreams = new Set(shape.upstreams);
  const locations = new Set(shape.locations);
  let best: TemplateMatch | undefined;
  for (const template of HARBOR_NGINX_TEMPLATES) {
    if (!template.upstreams.every((name) => upstreams.has(name))) continue;
    const found = template.locations.filter((location) => locations.has(location)).length;
    const score = found / template.locations.length;
    if (found < MIN_LOCATIONS || score < MIN_SCORE) continue;
    if (!best || score > best.score) best = { template, score };
  }
  return best;
}

/** Harbor's own nginx, edited beyond a template match: its core/portal upstreams and the notifications block. */
function hasHarborInternalMarkers(shape: NginxShape): boolean {
  const upstreams = new Set(shape.upstreams);
  const sealed = shape.locations.some((l) => /^\/service\/notifications return 404$/.test(l));
  return sealed && ((upstreams.has('core') && upstreams.has('portal')) || (upstreams.has('ui') && upstreams.has('registry')));
}

/**
 * Whether the upstream names allow a Harbor template match or the internal markers: both
 * need Harbor's upstreams, so a front proxy's locations need not be listed at all.
 */
function mayBeHarborInternal(directives: readonly NginxDirective[]): boolean {
  const upstreams = new Set<string>();
  for (const upstream of upstreamBlocks(directives)) if (upstream.args[0] && !upstream.args[0].templated) upstreams.add(upstream.args[0].value.toLowerCase());
  if ((upstreams.has('core') && upstreams.has('portal')) || (upstreams.has('ui') && upstreams.has('registry'))) return true;
  return HARBOR_NGINX_TEMPLATES.some((template) => template.upstreams.every((name) => upstreams.has(name)));
}

/** Harbor's own nginx config: the versions it matches, for messages. */
export function internalHarborNginx(file: NginxFile): { versions?: string; source?: string } | undefined {
  const directives = spliceIncludes(file.directives);
  if (!mayBeHarborInternal(directives)) return undefined;
  const shape = nginxShape(directives);
  const match = matchHarborTemplate(shape);
  if (match) return { versions: match.template.versions, source: match.template.source };
  return hasHarborInternalMarkers(shape) ? {} : undefined;
}

// ---------------------------------------------------------------------------
// Front proxies

/** Comments of each parsed file, to read the comments inside a server block. */
export type CommentsOf = (file: string) => readonly NginxComment[] | undefined;
/** `server` members of an upstream block by its name (lower case), in any parsed file. */
export type UpstreamHostsOf = (name: string) => readonly string[];

/** A host, upstream or server_name that names Harbor: `harbor.example.com`, `harbor-core`, `{{ harbor_hostname }}`. */
const NAMES_HARBOR = /harbor/i;
/** Harbor's components behind its own nginx, by the names the chart and docker-compose give them. */
const HARBOR_COMPONENT = /(^|[-_.])harbor[-_.]?(core|portal|nginx)?([-_.:]|$)/i;
/** Paths only Harbor serves (a Nexus `/service/rest`, a GitLab `/api/v4` are not among them). */
const HARBOR_ROUTE = /^\^?(\/c\/|\/c$|\/service\/token|\/service\/notifications|\/api\/v2\.0|\/chartrepo\b|\/devcenter-api-2\.0)/;
/** Signs of another product: its names in a target, its own routes, or registry:2's recipe. */
const OTHER_PRODUCT = /(nexus|sonatype|gitlab|artifactory|jfrog|gitea|forgejo|quay|docker[-_]?registry|registry[-_]?mirror|docker[-_]?cache|pull[-_]?through)/i;
const OTHER_ROUTE = /^\^?(\/repository\/|\/artifactory\b|\/nexus\b|\/api\/v4\b|\/-\/|\/jwt\/auth|\/service\/rest\b|\/ui\/|\/gitlab\b)/;

export interface ServerEvidence {
  harbor: boolean;
  /** Why it counts as Harbor (or why not), for the recognition reason. */
  why: string;
}

function descendants(directives: readonly NginxDirective[]): NginxDirective[] {
  const all: NginxDirective[] = [];
  const stack = [...directives];
  while (stack.length > 0) {
    const directive = stack.pop()!;
    all.push(directive);
    if (directive.block) stack.push(...spliceIncludes(directive.block));
  }
  return all;
}

/**
 * The block directives below `directives` with a `proxy_pass` anywhere inside
 * them (includes spliced), in one walk: asking each location for its own
 * descendants was quadratic in a chain of nested locations.
 */
function blocksThatProxy(directives: readonly NginxDirective[]): Set<NginxDirective> {
  const proxying = new Set<NginxDirective>();
  // Depth-first; a block is settled when its children are, and passes its verdict to its parent.
  const stack: { block: NginxDirective | null; children: readonly NginxDirective[]; index: number; proxies: boolean }[] = [{ block: null, children: spliceIncludes(directives), index: 0, proxies: false }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    if (top.index < top.children.length) {
      const child = top.children[top.index++];
      if (child.name === 'proxy_pass') top.proxies = true;
      if (child.block) stack.push({ block: child, children: spliceIncludes(child.block), index: 0, proxies: false });
      continue;
    }
    stack.pop();
    if (top.proxies && top.block) proxying.add(top.block);
    if (top.proxies && stack.length > 0) stack[stack.length - 1].proxies = true;
  }
  return proxying;
}

/** Host of a proxy target (`http://harbor:8080/x` → `harbor`), or an upstream's members' hosts. */
function targetHosts(pass: NginxDirective, upstreamHosts: UpstreamHostsOf): string[] {
  const value = pass.args[0]?.value ?? '';
  const match = /^[a-z][a-z0-9+.-]*:\/\/([^/?]+)/i.exec(value);
  if (!match) return [value];
  const host = match[1].replace(/:\d+$/, '');
  return [host, ...upstreamHosts(host.toLowerCase())];
}

/** A file name that names Harbor (`conf.d/harbor.conf`, `harbor/nginx.conf`): the operator's own label. */
function pathNamesHarbor(path: string): boolean {
  return NAMES_HARBOR.test(path.split(/[\\/]/).slice(-2).join('/'));
}

/**
 * Harbor evidence for one `server` block. Strong evidence: a proxied Harbor route,
 * a target or upstream member naming Harbor or its components, a server_name naming
 * Harbor, or a front that sends `/v2/` to core and `/` to the portal. Weak evidence
 * (a comment in the server, the file name) only counts where the server proxies
 * `/` or `/v2/` and nothing points at another product.
 */
export function harborServerEvidence(server: NginxDirective, upstreamHosts: UpstreamHostsOf, commentsOf: CommentsOf): ServerEvidence {
  const inside = descendants(server.block ?? []);
  const passes = inside.filter((d) => d.name === 'proxy_pass');
  if (passes.length === 0) return { harbor: false, why: 'proxies nothing' };
  const locations = inside.filter((d) => d.name === 'location' && d.block);
  const patterns = locations.map((d) => d.args[d.args.length - 1]?.value ?? '');
  const proxying = blocksThatProxy(server.block ?? []);
  const proxied = locations.filter((d) => proxying.has(d)).map((d) => d.args[d.args.length - 1]?.value ?? '');

  const route = proxied.find((p) => HARBOR_ROUTE.test(p));
  if (route) return { harbor: true, why: `proxies Harbor's ${route}` };
  const mount = proxied.find((p) => /^\^?\/[^/]*harbor/i.test(p));
  if (mount) return { harbor: true, why: `serves Harbor under ${mount}` };
  // Only now: most Harbor servers have shown a route (this runs for every server on every keystroke).
  const hosts = passes.flatMap((pass) => targetHosts(pass, upstreamHosts));
  const harborHost = hosts.find((h) => HARBOR_COMPONENT.test(h) || NAMES_HARBOR.test(h));
  if (harborHost) return { harbor: true, why: `proxies to ${harborHost}` };
  const names = (server.block ?? []).filter((d) => d.name === 'server_name').flatMap((d) => d.args.map((a) => a.value));
  const harborName = names.find((n) => NAMES_HARBOR.test(n));
  if (harborName) return { harbor: true, why: `server_name ${harborName}` };
  const lower = hosts.map((h) => h.toLowerCase());
  if (lower.some((h) => /(^|[-_.])core$/.test(h)) && lower.some((h) => /(^|[-_.])portal$/.test(h))) return { harbor: true, why: 'proxies to core and portal' };

  const other = hosts.find((h) => OTHER_PRODUCT.test(h)) ?? names.find((n) => OTHER_PRODUCT.test(n)) ?? patterns.find((p) => OTHER_ROUTE.test(p));
  if (other) return { harbor: false, why: `${other} belongs to another product` };
  if (hosts.some((h) => /:5000$|^registry$/.test(h)) || passes.some((p) => /:5000\b/.test(p.args[0]?.value ?? ''))) {
    return { harbor: false, why: 'proxies a registry on port 5000 without Harbor evidence' };
  }
  if (inside.some((d) => d.name === 'add_header' && /^docker-distribution-api-version$/i.test(d.args[0]?.value ?? ''))) {
    return { harbor: false, why: "registry:2's nginx recipe (Docker-Distribution-Api-Version)" };
  }
  // Harbor's own split of the registry and its token service or API, as Harbor 1.x fronts route it.
  if (proxied.some((p) => /^\/v2\b/.test(p)) && proxied.some((p) => /^\/(service|api)\/?$/.test(p))) return { harbor: true, why: 'routes /v2/ and /service/ or /api/ apart' };
  const servesRegistry = proxied.some((p) => p === '/' || p.startsWith('/v2')) || (locations.length === 0 && passes.length > 0);
  if (!servesRegistry) return { harbor: false, why: 'no Harbor evidence' };
  if (pathNamesHarbor(server.file)) return { harbor: true, why: 'file name names Harbor' };
  const span = server.span;
  const comment = (commentsOf(server.file) ?? []).find((c) => c.span.start > span.start && c.span.end <= span.end && /\bharbor\b/i.test(c.text));
  if (comment) return { harbor: true, why: 'a comment in the server names Harbor' };
  return { harbor: false, why: 'no Harbor evidence' };
}

/** Server blocks at the top level and inside `http`, includes spliced. */
export function serverBlocks(directives: readonly NginxDirective[]): NginxDirective[] {
  const top = spliceIncludes(directives);
  const servers = top.filter((d) => d.name === 'server' && d.block);
  for (const http of top.filter((d) => d.name === 'http' && d.block)) servers.push(...spliceIncludes(http.block!).filter((d) => d.name === 'server' && d.block));
  return servers;
}

/** Upstream members' hosts by upstream name, from the given files. */
/**
 * The `upstream` blocks of a file: nginx takes them only in `http` and `stream`,
 * so only those levels (and the top, for a conf.d file) are read, not every server.
 */
function upstreamBlocks(directives: readonly NginxDirective[]): NginxDirective[] {
  const found: NginxDirective[] = [];
  const levels = [spliceIncludes(directives)];
  while (levels.length > 0) {
    for (const directive of levels.pop()!) {
      if (directive.name === 'upstream' && directive.block) found.push(directive);
      else if ((directive.name === 'http' || directive.name === 'stream') && directive.block) levels.push(spliceIncludes(directive.block));
    }
  }
  return found;
}

export function upstreamHostsIn(files: readonly NginxFile[]): UpstreamHostsOf {
  const index = new Map<string, string[]>();
  for (const file of files) {
    for (const upstream of upstreamBlocks(file.directives)) {
      const name = upstream.args[0]?.value.toLowerCase();
      if (name === undefined) continue;
      const members = upstream.block!.filter((d) => d.name === 'server').map((d) => (d.args[0]?.value ?? '').replace(/:\d+$/, ''));
      index.set(name, [...(index.get(name) ?? []), ...members]);
    }
  }
  return (name) => index.get(name) ?? [];
}

export function commentsIn(files: readonly NginxFile[]): CommentsOf {
  return (path) => files.find((file) => file.path === path)?.comments;
}

/** `files`: the file and those its includes pulled in (resolved), whose servers and upstreams count too. */
export function classifyNginx(file: NginxFile, files: readonly NginxFile[] = [file]): { role: NginxRole; reason: string } {
  const internal = internalHarborNginx(file);
  if (internal) {
    const which = internal.versions ? ` (${internal.source === 'chart' ? 'chart' : 'Harbor'} ${internal.versions})` : '';
    return { role: 'internal', reason: `Harbor's own nginx.conf${which}` };
  }
  const upstreamHosts = upstreamHostsIn(files);
  const commentsOf = commentsIn(files);
  for (const server of serverBlocks(file.directives)) {
    const evidence = harborServerEvidence(server, upstreamHosts, commentsOf);
    const where = server.file !== file.path ? `, in the included ${server.file.split(/[\\/]/).slice(-2).join('/')}` : '';
    if (evidence.harbor) return { role: 'front', reason: `nginx that proxies to Harbor (front proxy: ${evidence.why}${where})` };
  }
  return { role: 'unrelated', reason: 'nginx config with no server that proxies to Harbor' };
}
