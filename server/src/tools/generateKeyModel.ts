/**
 * Builds the versioned key model (server/src/core/keys/keyData.ts) from the
 * upstream files in ../shared/upstream: every goharbor chart's values.yaml and
 * templates, and every installer's harbor.yml(.tmpl) / harbor.cfg and prepare.
 * `npm run keys:generate`. The output is committed: the product never reads
 * ../shared. Versions are stored as differences from the next newer one.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import { compareVersions, encodeVersionTable, type KeyEntry, type KeyTable } from '../core/keys/keyModel';

const repoRoot = join(__dirname, '..', '..', '..', '..');
// ../shared next to the checkout (a worktree sits one level deeper).
const upstream =
  process.env.HARBOR_UPSTREAM ?? [join(repoRoot, '..', 'shared', 'upstream'), join(repoRoot, '..', '..', 'shared', 'upstream')].find(existsSync) ?? join(repoRoot, '..', 'shared', 'upstream');
const output = join(repoRoot, 'server', 'src', 'core', 'keys', 'keyData.ts');

/** Names whose contents are the user's own (Kubernetes objects, labels, driver options), never chart keys. */
const FREE_FORM_NAMES = new Set([
  'annotations', 'labels', 'podAnnotations', 'podLabels', 'nodeSelector', 'tolerations', 'affinity', 'resources',
  'extraEnvVars', 'topologySpreadConstraints', 'securityContext', 'containerSecurityContext', 'podSecurityContext',
  'additionalLabels', 'metricRelabelings', 'relabelings', 'initContainers', 'extraVolumes', 'extraVolumeMounts',
  'serviceAnnotations', 'ingressClassAnnotations', 'customHeaders', 'env', 'envFrom', 'sidecars', 'extraContainers',
  'uaa',
]);

// ---------------------------------------------------------------- chart

function chartVersions(): string[] {
  const dir = join(upstream, 'harbor-helm');
  return readdirSync(dir).filter((name) => /^v\d+\.\d+\.\d+$/.test(name)).sort((a, b) => compareVersions(a.slice(1), b.slice(1)));
}

function scalarType(value: unknown): KeyEntry['type'] {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return 'number';
  return 'string';
}

function scalarDefault(value: unknown): KeyEntry['default'] {
  if (typeof value === 'string') return value.includes('\n') || value.length > 80 ? undefined : value;
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  return undefined;
}

function walkValues(node: Node | null, path: string[], table: KeyTable): void {
  if (!node || !isMap(node)) return;
  for (const pair of node.items) {
    const keyNode = pair.key as Node | null;
    if (!keyNode || !isScalar(keyNode)) continue;
    const key = String(keyNode.value);
    const childPath = [...path, key];
    const value = pair.value as Node | null;
    const dotted = childPath.join('.');
    if (value && isMap(value)) {
      const open = FREE_FORM_NAMES.has(key) || value.items.length === 0;
      table[dotted] = { type: 'map', ...(open ? { open: true } : {}) };
      if (!open) walkValues(value, childPath, table);
    } else if (value && isSeq(value)) {
      table[dotted] = { type: 'list', ...(FREE_FORM_NAMES.has(key) ? { open: true } : {}) };
    } else {
      const scalar = value && isScalar(value) ? value.value : null;
      const entry: KeyEntry = { type: FREE_FORM_NAMES.has(key) ? 'map' : scalarType(scalar) };
      if (FREE_FORM_NAMES.has(key)) entry.open = true;
      const fallback = scalarDefault(scalar);
      if (fallback !== undefined) entry.default = fallback;
      table[dotted] = entry;
    }
  }
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...listFiles(path));
    else out.push(path);
  }
  return out;
}

const VALUES_REF = /\$?\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g;
const ALIAS = /\$([A-Za-z_][A-Za-z0-9_]*)\s*:?=\s*\$?\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g;

/** Keys the templates read, with simple `$x := .Values.a.b` aliases resolved; and paths consumed whole (toYaml, range). */
function templateReads(templatesDir: string): { reads: Set<string>; whole: Set<string>; truthy: Set<string> } {
  const reads = new Set<string>();
  const whole = new Set<string>();
  const truthy = new Set<string>();
  for (const file of listFiles(templatesDir)) {
    const text = readFileSync(file, 'utf8');
    const aliases = new Map<string, string>();
    for (const match of text.matchAll(ALIAS)) aliases.set(match[1], match[2].slice(1));
    const refs: { path: string; index: number }[] = [];
    for (const match of text.matchAll(VALUES_REF)) refs.push({ path: match[1].slice(1), index: match.index! });
    for (const [name, target] of aliases) {
      const pattern = new RegExp(`\\$${name}((?:\\.[A-Za-z_][A-Za-z0-9_]*)*)`, 'g');
      for (const match of text.matchAll(pattern)) refs.push({ path: target + match[1], index: match.index! });
    }
    for (const ref of refs) {
      reads.add(ref.path);
      const before = text.slice(Math.max(0, ref.index - 40), ref.index);
      if (/(toYaml|range\s[^}]*:=)\s*\(?\s*$/.test(before)) whole.add(ref.path);
      // Tested by truthiness inside the same action: `{{ if .Values.x }}`, `{{- if and .Values.a (not .Values.b) }}`.
      const action = text.slice(Math.max(0, text.lastIndexOf('{{', ref.index)), ref.index);
      if (/^\{\{-?\s*(?:else\s+)?(?:if|with)\s[^}]*$/.test(action) && !/\b(?:eq|ne|lt|gt|le|ge|default|include|printf|len)\b/.test(action) && !/^[.\w]*\s*\|/.test(text.slice(ref.index + ref.path.length + 8, ref.index + ref.path.length + 30).replace(/^[^\s|}]*/, '').trimStart())) truthy.add(ref.path);
    }
    for (const match of text.matchAll(/\$?\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)\s*\|\s*toYaml/g)) whole.add(match[1].slice(1));
  }
  return { reads, whole, truthy };
}

function chartTable(versionDir: string): KeyTable {
  const table: KeyTable = {};
  const values = parseDocument(readFileSync(join(versionDir, 'values.yaml'), 'utf8'));
  walkValues(values.contents as Node, [], table);
  const { reads, whole, truthy } = templateReads(join(versionDir, 'templates'));
  for (const path of whole) {
    const entry = table[path];
    if (entry && (entry.type === 'map' || entry.type === 'list') && !entry.open) {
      // Children consumed whole are the user's (e.g. a toYaml'd block); keep the listed ones known, accept others.
      entry.open = true;
      for (const key of Object.keys(table)) if (key.startsWith(`${path}.`)) delete table[key];
    }
  }
  addReadPaths(table, reads);
  for (const path of truthy) if (table[path]?.type === 'boolean') table[path].truthy = true;
  return table;
}

function isInsideOpen(table: KeyTable, path: string): boolean {
  const parts = path.split('.');
  for (let i = 1; i < parts.length; i++) if (table[parts.slice(0, i).join('.')]?.open) return true;
  return false;
}

// ---------------------------------------------------------------- installer

function installerVersions(): string[] {
  const dir = join(upstream, 'harbor');
  return readdirSync(dir).filter((name) => /^v\d+\.\d+\.\d+$/.test(name)).sort((a, b) => compareVersions(a.slice(1), b.slice(1)));
}

/**
 * harbor.yml keys, including the commented-out blocks the template documents
 * (`# external_url: …`, `# storage_service:`): a line-based reading, since
 * comments carry keys that the YAML parser cannot see.
 */
function harborYmlTable(text: string): KeyTable {
  const table: KeyTable = {};
  const stack: { indent: number; path: string }[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i].replace(/\s+$/, '');
    const hash = /^(\s*)# ?(.*)$/.exec(line);
    if (hash) line = hash[1] + hash[2];
    const match = /^(\s*)([a-z_][a-zA-Z0-9_]*):(?:\s+(.*))?$/.exec(line);
    if (!match) continue;
    const indent = match[1].length;
    while (stack.length && stack[stack.length - 1].indent >= indent) stack.pop();
    const path = [...stack.map((s) => s.path.split('.').pop()!), match[2]];
    const parent = stack.length ? stack[stack.length - 1].path : '';
    const dotted = parent ? `${parent}.${match[2]}` : path.join('.');
    if (isInsideOpen(table, dotted)) continue;
    const raw = (match[3] ?? '').replace(/\s+#.*$/, '').trim();
    let entry: KeyEntry;
    if (raw === '') {
      const next = nextContentLine(lines, i + 1);
      if (next && next.indent > indent && next.text.startsWith('- ')) entry = { type: 'list' };
      else if (next && next.indent > indent && /^[a-zA-Z_][a-zA-Z0-9_]*:/.test(next.text)) {
        entry = { type: 'map' };
        if (FREE_FORM_NAMES.has(match[2])) entry.open = true;
        stack.push({ indent, path: dotted });
      } else entry = { type: 'null' };
    } else if (raw === '{}' || raw === '[]') {
      entry = { type: raw === '{}' ? 'map' : 'list', open: true };
    } else {
      const value = parseScalar(raw);
      entry = { type: scalarType(value) };
      const fallback = scalarDefault(value);
      if (fallback !== undefined) entry.default = fallback;
    }
    if (hash && !table[dotted]) entry.commented = true;
    if (!table[dotted] || (table[dotted].commented && !hash)) table[dotted] = entry;
  }
  return table;
}

/** The next line that holds a key or a list item, commented or not, with its indentation once `# ` is removed. */
function nextContentLine(lines: string[], from: number): { indent: number; text: string } | undefined {
  for (let i = from; i < lines.length; i++) {
    let line = lines[i].replace(/\s+$/, '');
    const hash = /^(\s*)# ?(.*)$/.exec(line);
    if (hash) line = hash[1] + hash[2];
    const text = line.trimStart();
    if (!/^(- |[a-zA-Z_][a-zA-Z0-9_]*:(\s|$))/.test(text)) continue;
    return { indent: line.length - text.length, text };
  }
  return undefined;
}

function parseScalar(raw: string): unknown {
  try {
    const doc = parseDocument(raw);
    const node = doc.contents as Node | null;
    return node && isScalar(node) ? node.value : raw;
  } catch {
    return raw;
  }
}

/** Keys prepare reads (configs.py), with `x = configs.get('k')` aliases; and the lists it validates against. */
function prepareReads(configsPy: string): { reads: Set<string>; enums: Record<string, string[]> } {
  const reads = new Set<string>();
  const aliases = new Map<string, string>([['configs', '']]);
  const assign = /^\s*([a-z_]+)\s*=\s*([a-z_]+)((?:\.get\(\s*['"][a-z_A-Z0-9]+['"][^)]*\)|\[\s*['"][a-zA-Z_0-9]+['"]\s*\])+)/gm;
  for (const match of configsPy.matchAll(assign)) {
    const base = aliases.get(match[2]);
    if (base === undefined) continue;
    const path = [base, ...keysOf(match[3])].filter(Boolean).join('.');
    aliases.set(match[1], path);
  }
  for (const [name, base] of aliases) {
    const pattern = new RegExp(`\\b${name}((?:\\.get\\(\\s*['"][a-zA-Z_0-9]+['"][^)]*\\)|\\[\\s*['"][a-zA-Z_0-9]+['"]\\s*\\])+)`, 'g');
    for (const match of configsPy.matchAll(pattern)) {
      // `configs['redis_url_core'] = …` writes a derived value; only reads are keys.
      if (/^\s*=(?!=)/.test(configsPy.slice(match.index! + match[0].length))) continue;
      const path = [base, ...keysOf(match[1])].filter(Boolean).join('.');
      if (path) reads.add(path);
    }
  }
  const enums: Record<string, string[]> = {};
  const list = (name: string) => {
    const found = new RegExp(`${name}\\s*=\\s*\\[([^\\]]*)\\]`).exec(configsPy);
    return found ? [...found[1].matchAll(/['"]([^'"]+)['"]/g)].map((m) => m[1]) : undefined;
  };
  const levels = list('allowed_levels');
  if (levels) enums['log.level'] = levels;
  const drivers = list('valid_storage_drivers');
  if (drivers) enums['storage_service.*'] = drivers;
  if (/not in \['udp', 'tcp'\]/.test(configsPy)) enums['log.external_endpoint.protocol'] = ['udp', 'tcp'];
  return { reads, enums };
}

function keysOf(chain: string): string[] {
  return [...chain.matchAll(/['"]([a-zA-Z_0-9]+)['"]/g)].map((m) => m[1]);
}

function harborCfgTable(text: string): KeyTable {
  const table: KeyTable = {};
  for (const line of text.split('\n')) {
    const match = /^#?\s*([a-z_][a-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match) continue;
    const commented = line.startsWith('#');
    if (table[match[1]] && commented) continue;
    const value = match[2];
    const entry: KeyEntry = { type: /^\d+$/.test(value) ? 'number' : /^(on|off|true|false)$/.test(value) ? 'boolean' : 'string' };
    if (value !== '' && value.length <= 80) entry.default = /^\d+$/.test(value) ? Number(value) : value;
    if (commented) entry.commented = true;
    table[match[1]] = entry;
  }
  return table;
}

function installerTable(versionDir: string): { format: 'yml' | 'cfg'; table: KeyTable; enums: Record<string, string[]> } {
  const make = join(versionDir, 'make');
  const cfg = join(make, 'harbor.cfg');
  const yml = [join(make, 'harbor.yml.tmpl'), join(make, 'harbor.yml')].find(existsSync);
  if (!yml && existsSync(cfg)) return { format: 'cfg', table: harborCfgTable(readFileSync(cfg, 'utf8')), enums: {} };
  const table = harborYmlTable(readFileSync(yml!, 'utf8'));
  const configsPy = join(make, 'photon', 'prepare', 'utils', 'configs.py');
  const { reads, enums } = existsSync(configsPy) ? prepareReads(readFileSync(configsPy, 'utf8')) : { reads: new Set<string>(), enums: {} };
  addReadPaths(table, reads);
  // Storage drivers' options go to the registry's config as they are.
  for (const driver of enums['storage_service.*'] ?? []) {
    const key = `storage_service.${driver}`;
    table[key] = { ...(table[key] ?? { type: 'map' }), open: true };
    for (const sub of Object.keys(table)) if (sub.startsWith(`${key}.`)) delete table[sub];
  }
  return { format: 'yml', table, enums };
}

// ---------------------------------------------------------------- output

function main(): void {
  if (!existsSync(upstream)) {
    console.error(`no upstream files at ${upstream}`);
    process.exit(2);
  }
  const charts = chartVersions().map((dir) => {
    const chartYaml = readFileSync(join(upstream, 'harbor-helm', dir, 'Chart.yaml'), 'utf8');
    const appVersion = /^appVersion:\s*["']?([^"'\s]+)/m.exec(chartYaml)?.[1] ?? '';
    return { version: dir.slice(1), appVersion, table: chartTable(join(upstream, 'harbor-helm', dir)) };
  });
  const installers = installerVersions().map((dir) => {
    const { format, table, enums } = installerTable(join(upstream, 'harbor', dir));
    return { version: dir.slice(1), format, table, enums };
  });
  const data = {
    chart: encodeVersionTable(charts.map((c) => ({ version: c.version, table: c.table }))),
    chartApp: Object.fromEntries(charts.map((c) => [c.version, c.appVersion.replace(/^v/, '')])),
    installer: encodeVersionTable(installers.map((i) => ({ version: i.version, table: i.table }))),
    installerFormat: Object.fromEntries(installers.map((i) => [i.version, i.format])),
    installerEnums: Object.fromEntries(installers.map((i) => [i.version, i.enums])),
  };
  const json = JSON.stringify(data);
  const text =
    '/* Generated by server/src/tools/generateKeyModel.ts from ../shared/upstream (goharbor/harbor-helm and goharbor/harbor, Apache-2.0). Do not edit; run `npm run keys:generate`. */\n' +
    `export const keyData = ${JSON.stringify(json)};\n`;
  writeFileSync(output, text);
  console.log(`wrote ${output}: ${charts.length} chart versions, ${installers.length} installer versions, ${text.length} bytes`);
}

main();

/** Keys a template or prepare reads but the shipped file does not list: each prefix becomes a known map, the last part any type. */
function addReadPaths(table: Parameters<typeof isInsideOpen>[0], reads: Iterable<string>): void {
  for (const path of reads) {
    const parts = path.split('.');
    for (let i = 1; i <= parts.length; i++) {
      const prefix = parts.slice(0, i).join('.');
      if (isInsideOpen(table, prefix)) break;
      if (!table[prefix]) table[prefix] = { type: i < parts.length ? 'map' : 'any', template: true };
    }
  }
}
