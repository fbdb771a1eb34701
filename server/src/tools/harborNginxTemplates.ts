/**
 * Derives the shape of Harbor's own nginx.conf, per installer and chart version,
 * from the upstream templates in ../shared/upstream, and writes it to
 * server/src/core/nginx/harborTemplates.generated.ts (the product never reads
 * ../shared). `npm run build && node out/server/src/tools/harborNginxTemplates.js`;
 * a test fails when the committed data is out of step with ../shared.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nginxShape } from '../core/nginx/harborRecognition';
import { bodyLines } from '../core/nginx/harborBodies';
import type { HarborNginxBody, HarborNginxTemplate } from '../core/nginx/harborTemplates.generated';
import { parseNginx } from '../core/nginx/parser';

export const repoRoot = join(__dirname, '..', '..', '..', '..');
export const generatedPath = join(repoRoot, 'server', 'src', 'core', 'nginx', 'harborTemplates.generated.ts');
/** ../shared beside the repository (/work/main) or beside the worktrees folder (/work/wt/NAME). */
export const upstreamRoot =
  [join(repoRoot, '..', 'shared', 'upstream'), join(repoRoot, '..', '..', 'shared', 'upstream')].find((dir) => existsSync(dir)) ?? join(repoRoot, '..', 'shared', 'upstream');

/**
 * The default render of a Jinja or Helm template: conditional branches are
 * dropped, `else` branches kept (internal TLS, notary, metrics and IPv6 are
 * off by default), other tags left for the parser to mask.
 */
export function defaultRender(text: string): string {
  return renderBranches(text, false);
}

/** `takeIf`: the render with every conditional's first branch (internal TLS, IPv6, metrics on) instead of its else branch. */
export function renderBranches(text: string, takeIf: boolean): string {
  const out: string[] = [];
  // One entry per open conditional: is the current branch kept?
  const stack: boolean[] = [];
  for (const line of text.split('\n')) {
    const tag = /^\s*(?:\{%-?\s*(if|elif|else|endif|for|endfor)\b.*%\}|\{\{-?\s*(if|else if|else|end|range|with)\b.*\}\})\s*$/.exec(line);
    const keyword = tag ? (tag[1] ?? tag[2]) : undefined;
    if (keyword === 'if' || keyword === 'for' || keyword === 'range' || keyword === 'with') stack.push(takeIf);
    else if (keyword === 'elif' || keyword === 'else if') stack[stack.length - 1] = false;
    else if (keyword === 'else') stack[stack.length - 1] = !takeIf;
    else if (keyword === 'endif' || keyword === 'endfor' || keyword === 'end') stack.pop();
    else if (stack.every(Boolean)) out.push(line);
  }
  return out.join('\n');
}

/** The nginx.conf embedded in a chart ConfigMap template (`nginx.conf: |+` and its indented block). */
export function chartNginxConf(text: string): string | undefined {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => /^\s*nginx\.conf:\s*\|/.test(line));
  if (start < 0) return undefined;
  const body: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() !== '' && !/^\s{3,}/.test(line) && !/^\s*\{\{/.test(line)) break;
    body.push(line);
  }
  return body.join('\n');
}

function versionKey(version: string): number[] {
  return version.replace(/^v/, '').split('.').map(Number);
}

function byVersion(a: string, b: string): number {
  const [x, y] = [versionKey(a), versionKey(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}

/** `1.8–2.2` when the versions are consecutive in `all`, else each listed. */
function versionLabel(versions: string[], all: string[]): string {
  const short = (v: string) => v.replace(/^v/, '').split('.').slice(0, 2).join('.');
  const indexes = versions.map((v) => all.indexOf(v)).sort((a, b) => a - b);
  const consecutive = indexes.every((index, i) => i === 0 || index === indexes[i - 1] + 1);
  if (versions.length === 1) return short(versions[0]);
  if (consecutive) return `${short(all[indexes[0]])}–${short(all[indexes[indexes.length - 1]])}`;
  return indexes.map((i) => short(all[i])).join(', ');
}

interface Rendered {
  source: 'installer' | 'chart';
  variant: 'http' | 'https';
  version: string;
  text: string;
  /** The render with every conditional's first branch taken (installer only). */
  alternative?: string;
}

function installerRenders(root: string): Rendered[] {
  const dir = join(root, 'harbor');
  if (!existsSync(dir)) return [];
  const renders: Rendered[] = [];
  for (const version of readdirSync(dir).sort(byVersion)) {
    for (const variant of ['http', 'https'] as const) {
      const legacy = join(dir, version, 'make', 'common', 'templates', 'nginx', `nginx.${variant}.conf`);
      const jinja = join(dir, version, 'make', 'photon', 'prepare', 'templates', 'nginx', `nginx.${variant}.conf.jinja`);
      // Harbor before 1.8 rendered with Python's string.Template: `$$` is a literal `$`, `$ssl_cert` a value.
      if (existsSync(legacy)) {
        const text = readFileSync(legacy, 'utf8').replace(/\$(ssl_cert_key|ssl_cert)\b/g, '{{$1}}').replace(/\$\$/g, '$');
        renders.push({ source: 'installer', variant, version, text, alternative: text });
      } else if (existsSync(jinja)) {
        // The metrics location at harbor.yml's default path: a pattern would match any location added by hand.
        const template = readFileSync(jinja, 'utf8').replace(/\{\{\s*metric\.path\s*\}\}/g, '/metrics');
        renders.push({ source: 'installer', variant, version, text: defaultRender(template), alternative: renderBranches(template, true) });
      }
    }
  }
  return renders;
}

function chartRenders(root: string): Rendered[] {
  const dir = join(root, 'harbor-helm');
  if (!existsSync(dir)) return [];
  const renders: Rendered[] = [];
  for (const version of readdirSync(dir).sort(byVersion)) {
    for (const variant of ['http', 'https'] as const) {
      const path = join(dir, version, 'templates', 'nginx', `configmap-${variant}.yaml`);
      if (!existsSync(path)) continue;
      const conf = chartNginxConf(readFileSync(path, 'utf8'));
      if (conf) renders.push({ source: 'chart', variant, version, text: defaultRender(conf).replace(/\{\{-?\s*\$scheme\s*-?\}\}/g, 'http') });
    }
  }
  return renders;
}

/** One entry per distinct shape, with the versions that render it. */
export function collectTemplates(root = upstreamRoot): HarborNginxTemplate[] {
  const groups = new Map<string, { render: Rendered; versions: string[]; upstreams: string[]; locations: string[] }>();
  const renders = [...installerRenders(root), ...chartRenders(root)];
  for (const render of renders) {
    const shape = nginxShape(parseNginx(render.text, `${render.version}/nginx.${render.variant}.conf`).directives);
    // The http and https templates route alike; only the listener differs.
    const key = JSON.stringify([render.source, shape.upstreams, shape.locations]);
    const group = groups.get(key);
    if (!group) groups.set(key, { render, versions: [render.version], ...shape });
    else if (!group.versions.includes(render.version)) group.versions.push(render.version);
  }
  const allOf = (source: string) => [...new Set(renders.filter((r) => r.source === source).map((r) => r.version))];
  return [...groups.values()].map((group) => ({
    source: group.render.source,
    versions: versionLabel(group.versions, allOf(group.render.source)),
    upstreams: group.upstreams,
    locations: group.locations,
  }));
}

/** Per installer version and listener, the template's lines: those every render has and those a harbor.yml option adds. */
export function collectBodies(root = upstreamRoot): { lines: string[]; bodies: HarborNginxBody[] } {
  const renders = installerRenders(root);
  const all = [...new Set(renders.map((r) => r.version))];
  const groups = new Map<string, { versions: string[]; required: string[]; optional: string[] }>();
  for (const render of renders) {
    const first = new Set(bodyLines(parseNginx(render.text, 'nginx.conf').directives).map((l) => l.line));
    const second = new Set(bodyLines(parseNginx(render.alternative ?? render.text, 'nginx.conf').directives).map((l) => l.line));
    const required = [...first].filter((line) => second.has(line)).sort();
    const optional = [...new Set([...first, ...second])].filter((line) => !(first.has(line) && second.has(line))).sort();
    const key = JSON.stringify([required, optional]);
    const group = groups.get(key);
    if (!group) groups.set(key, { versions: [render.version], required, optional });
    else if (!group.versions.includes(render.version)) group.versions.push(render.version);
  }
  const lines = [...new Set([...groups.values()].flatMap((g) => [...g.required, ...g.optional]))].sort();
  const index = new Map(lines.map((line, i) => [line, i]));
  const bodies = [...groups.values()].map((group) => ({
    versions: versionLabel(group.versions, all),
    required: group.required.map((line) => index.get(line)!),
    optional: group.optional.map((line) => index.get(line)!),
  }));
  return { lines, bodies };
}

export function renderModule(templates: readonly HarborNginxTemplate[], bodies = collectBodies()): string {
  return [
    '// Generated by server/src/tools/harborNginxTemplates.ts from ../shared/upstream (Harbor installer and chart templates). Do not edit.',
    '',
    'export interface HarborNginxTemplate {',
    "  source: 'installer' | 'chart';",
    '  /** Versions that render this shape: `1.8–2.2` (installer: Harbor; chart: harbor-helm). */',
    '  versions: string;',
    '  upstreams: string[];',
    '  /** `<location args> <proxy_pass target | return …>` per location. */',
    '  locations: string[];',
    '}',
    '',
    `export const HARBOR_NGINX_TEMPLATES: HarborNginxTemplate[] = ${JSON.stringify(templates, null, 2)};`,
    '',
    '/** An installer template, directive by directive (indexes into HARBOR_BODY_LINES; see harborBodies.ts). */',
    'export interface HarborNginxBody {',
    '  /** Harbor versions whose http or https template renders these lines. */',
    '  versions: string;',
    '  /** Lines every render has. */',
    '  required: number[];',
    '  /** Lines only a harbor.yml option renders (internal TLS, IPv6, metrics). */',
    '  optional: number[];',
    '}',
    '',
    `export const HARBOR_BODY_LINES: string[] = ${JSON.stringify(bodies.lines, null, 1)};`,
    '',
    `export const HARBOR_INSTALLER_BODIES: HarborNginxBody[] = ${JSON.stringify(bodies.bodies)};`,
    '',
  ].join('\n');
}

if (require.main === module) {
  if (!existsSync(upstreamRoot)) {
    console.error(`${upstreamRoot} is not present`);
    process.exit(2);
  }
  const templates = collectTemplates();
  writeFileSync(generatedPath, renderModule(templates));
  console.log(`wrote ${templates.length} template shapes to ${generatedPath}`);
}
