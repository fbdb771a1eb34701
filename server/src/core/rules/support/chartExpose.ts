/**
 * Shared by the externalURL / expose / storage rules (HB-EXTERNAL-URL,
 * HB-TLS-UPSTREAM, HB-INGRESS-TLS-OFF, HB-EXPOSE-AUTO-CERT, HB-STORAGE-REDIRECT,
 * HB-INSTALLER-PLACEHOLDERS, HB-HA-INSTALLER): URL parsing, chart defaults,
 * version comparison, private-host detection and YAML insertions that keep the
 * file's indentation.
 */
import { isMap, isScalar } from 'yaml';
import type { YAMLMap } from 'yaml';
import type { LineIndex } from '../../text';
import type { TextEdit } from '../../types';
import type { YamlEntry, YamlMapView } from '../../yaml/yamlModel';

/** Placeholder hosts shipped in the chart's values.yaml and the installer's harbor.yml.tmpl. */
export const PLACEHOLDER_HOSTS = new Set(['core.harbor.domain', 'reg.mydomain.com']);

export interface ParsedUrl {
  raw: string;
  /** Lower-case scheme, undefined when the value has no `scheme://`. */
  scheme?: string;
  /** Lower-case host, without brackets for IPv6. */
  host: string;
  port?: string;
  /** Everything after host[:port], including a lone `/`. */
  path: string;
}

/** A lenient URL split that keeps what was written (no normalisation beyond case). */
export function parseUrl(raw: string): ParsedUrl | undefined {
  const text = raw.trim();
  if (text === '' || /\s/.test(text)) return undefined;
  const schemeMatch = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(text);
  const rest = schemeMatch ? text.slice(schemeMatch[0].length) : text;
  const slash = rest.search(/[/?#]/);
  const authority = slash < 0 ? rest : rest.slice(0, slash);
  const path = slash < 0 ? '' : rest.slice(slash);
  const hostPort = authority.includes('@') ? authority.slice(authority.lastIndexOf('@') + 1) : authority;
  let host = hostPort;
  let port: string | undefined;
  const v6 = /^\[([^\]]+)\](?::(\d*))?$/.exec(hostPort);
  if (v6) {
    host = v6[1];
    port = v6[2];
  } else {
    const colon = hostPort.lastIndexOf(':');
    if (colon >= 0 && hostPort.indexOf(':') === colon) {
      host = hostPort.slice(0, colon);
      port = hostPort.slice(colon + 1);
    }
  }
  if (host === '') return undefined;
  return { raw: text, scheme: schemeMatch?.[1].toLowerCase(), host: host.toLowerCase(), port: port || undefined, path };
}

export function formatUrl(scheme: string, url: ParsedUrl): string {
  const host = url.host.includes(':') ? `[${url.host}]` : url.host;
  return `${scheme}://${host}${url.port ? `:${url.port}` : ''}`;
}

/** A YAML boolean as Helm reads it; strings "true"/"false" as well (Helm templates compare truthiness). */
export function booleanOf(entry: YamlEntry | undefined): boolean | undefined {
  if (!entry || entry.generated) return undefined;
  if (typeof entry.value === 'boolean') return entry.value;
  if (typeof entry.value === 'string') {
    const v = entry.value.trim().toLowerCase();
    if (v === 'true') return true;
    if (v === 'false') return false;
  }
  return undefined;
}

/** A value the user wrote, or the chart default, and which of the two it is. */
export interface Effective<T> {
  value: T;
  entry?: YamlEntry;
  explicit: boolean;
}

/**
 * The expose settings of goharbor chart values, with the chart's defaults
 * (values.yaml: type ingress, tls.enabled true, certSource auto,
 * ingress.hosts.core core.harbor.domain). `undefined` fields are templated.
 */
export interface ExposeSettings {
  /** The values map names `expose` at all: only then do we fill in defaults for consistency checks. */
  configured: boolean;
  type: Effective<string> | undefined;
  tlsEnabled: Effective<boolean> | undefined;
  certSource: Effective<string> | undefined;
  coreHost: Effective<string> | undefined;
}

export function exposeSettings(values: YamlMapView): ExposeSettings {
  return {
    configured: values.getMap('expose') !== undefined,
    type: effectiveString(values, 'expose.type', 'ingress'),
    tlsEnabled: effectiveBoolean(values, 'expose.tls.enabled', true),
    certSource: effectiveString(values, 'expose.tls.certSource', 'auto'),
    coreHost: effectiveString(values, 'expose.ingress.hosts.core', 'core.harbor.domain'),
  };
}

export function effectiveString(values: YamlMapView, path: string, fallback: string): Effective<string> | undefined {
  const entry = values.get(path);
  if (!entry || entry.value === null) return { value: fallback, explicit: false, entry };
  if (entry.generated || entry.value === undefined) return undefined;
  return { value: String(entry.value).trim(), explicit: true, entry };
}

export function effectiveBoolean(values: YamlMapView, path: string, fallback: boolean): Effective<boolean> | undefined {
  const entry = values.get(path);
  if (!entry || entry.value === null) return { value: fallback, explicit: false, entry };
  const value = booleanOf(entry);
  return value === undefined ? undefined : { value, explicit: true, entry };
}

/** `1.14.0`, `v1.14.0`, `1.14` → comparable numbers; undefined for `HEAD`, `1.*`, ranges. */
export function parseVersion(version: string | undefined): number[] | undefined {
  const match = /^\s*v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+].*)?\s*$/.exec(version ?? '');
  return match ? [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)] : undefined;
}

/** Negative when a < b; undefined when either is not a plain version. */
export function compareVersions(a: string | undefined, b: string): number | undefined {
  const left = parseVersion(a);
  const right = parseVersion(b);
  if (!left || !right) return undefined;
  for (let i = 0; i < 3; i++) if (left[i] !== right[i]) return left[i] - right[i];
  return 0;
}

/**
 * An object-store endpoint that docker clients outside the cluster or network
 * are unlikely to reach: in-cluster service names, `.internal`, RFC 1918 and
 * loopback addresses, single-label names, and anything naming MinIO.
 */
export function privateEndpointReason(endpoint: string): string | undefined {
  const url = parseUrl(endpoint);
  if (!url) return undefined;
  const host = url.host.replace(/\.$/, '');
  if (host.includes('minio')) return 'a MinIO endpoint';
  if (/\.svc$|\.svc\.|\.cluster\.local$/.test(host)) return 'an in-cluster Service name';
  if (/\.internal$/.test(host)) return 'an internal name';
  if (host === 'localhost' || /^127\./.test(host) || host === '::1') return 'a loopback address';
  const ip = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(host);
  if (ip) {
    const [a, b] = [Number(ip[1]), Number(ip[2])];
    if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'a private (RFC 1918) address';
    return undefined;
  }
  if (!host.includes('.') && !host.includes(':')) return 'a single-label name';
  return undefined;
}

function isBlockMap(view: YamlMapView): boolean {
  return !(view.map as YAMLMap & { flow?: boolean }).flow;
}

/** The indentation step this document uses, learnt from the nearest nested block mapping. */
export function indentUnit(lines: LineIndex, view: YamlMapView, depth = 0): string {
  for (const entry of view.entries()) {
    if (!entry.node || !isMap(entry.node)) continue;
    const child = view.getMap([entry.key]);
    const first = child?.entries()[0];
    if (!child || !first || !isBlockMap(child)) continue;
    const parentIndent = lines.indentOf(lines.positionAt(entry.keySpan.start).line).length;
    const childLine = lines.positionAt(first.keySpan.start);
    const childIndent = lines.indentOf(childLine.line).length;
    // Only when the child key starts its own line.
    if (childIndent > parentIndent && lines.lineStart(childLine.line) + childIndent === first.keySpan.start) return ' '.repeat(childIndent - parentIndent);
  }
  if (depth < 3) {
    for (const entry of view.entries()) {
      const child = entry.node && isMap(entry.node) ? view.getMap([entry.key]) : undefined;
      if (child) {
        const unit = indentUnit(lines, child, depth + 1);
        if (unit) return unit;
      }
    }
  }
  return depth === 0 ? '  ' : '';
}

/**
 * An edit that makes `path` (relative to `view`) hold `leaf` lines (`key: value`),
 * creating the missing intermediate mappings. Inserts as the first keys of the
 * deepest existing block mapping. Undefined when the place is a flow mapping or
 * a scalar we would have to overwrite.
 */
export function insertAtPath(lines: LineIndex, root: YamlMapView, path: readonly string[], leaf: readonly string[]): TextEdit | undefined {
  let view = root;
  let index = 0;
  while (index < path.length) {
    const next = view.getMap([path[index]]);
    if (!next) break;
    view = next;
    index++;
  }
  const missing = path.slice(index);
  const blocker = missing.length > 0 ? view.get([missing[0]]) : undefined;
  // `key:` with no value is null: replace that entry with the nested block.
  if (blocker && blocker.value !== null) return undefined;
  if (!isBlockMap(view)) return undefined;
  const unit = indentUnit(lines, root);
  const nested: string[] = [];
  missing.forEach((key, depth) => nested.push(unit.repeat(depth) + `${key}:`));
  for (const line of leaf) nested.push(unit.repeat(missing.length) + line);
  const first = view.entries()[0];
  if (blocker) {
    // Replace `key:` (null) and its line with the nested block, at the key's indentation.
    const line = lines.positionAt(blocker.keySpan.start).line;
    const indent = lines.indentOf(line);
    return { span: { start: blocker.keySpan.start, end: lines.lineEnd(line) }, newText: nested.map((l, i) => (i === 0 ? l : indent + l)).join(lines.eol) };
  }
  if (!first) return undefined;
  const at = lines.positionAt(first.keySpan.start);
  const indent = lines.indentOf(at.line);
  if (lines.lineStart(at.line) + indent.length !== first.keySpan.start) return undefined;
  const start = lines.lineStart(at.line);
  return { span: { start, end: start }, newText: nested.map((l) => indent + l + lines.eol).join('') };
}

/** Replaces a scalar value with YAML source text (`true`, `null`). */
export function replaceValueSource(entry: YamlEntry, source: string): TextEdit | undefined {
  if (entry.node && !isScalar(entry.node)) return undefined;
  if (entry.valueSpan.end === entry.valueSpan.start) return { span: entry.valueSpan, newText: `${entry.hasColon ? '' : ':'} ${source}` };
  return { span: entry.valueSpan, newText: source };
}
