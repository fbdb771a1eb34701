/**
 * Where a document names TLS material (certificate and key files or inline
 * PEM), resolved the way the program that reads it resolves it, and read only
 * through the injected FileAccess. Shared by the TLS pair and certificate
 * rules and by the key-identity hover.
 *
 * - harbor.yml `https.certificate` / `https.private_key`: relative to the
 *   harbor.yml's folder (prepare runs there); absolute as-is.
 * - nginx `ssl_certificate` / `ssl_certificate_key` (several pairs per server,
 *   paired by position as nginx does) and `proxy_ssl_certificate` /
 *   `proxy_ssl_certificate_key`: relative to nginx's prefix, which is the folder
 *   of the root configuration file here.
 * - chart values `internalTLS.<component>.crt` / `.key` (inline PEM, used with
 *   `certSource: manual`).
 * - Kubernetes `kubernetes.io/tls` Secrets: base64 `data.tls.crt` / `tls.key`,
 *   or plain `stringData`.
 */
import { dirname, isAbsolute, join, normalize } from 'node:path/posix';
import type { NginxDirective } from '../../nginx/ast';
import { anchorInRoot, childScopes, effectiveDirective, effectiveList, type NginxModel, type Scope } from '../../nginx/model';
import { findAll, findAllInFiles, type FileWideName } from '../../nginx/walk';
import { readLocated, type PathEnvironment } from '../../pathMapping';
import { inspectBytes, inspectPem, type InspectedObject } from '../../pki';
import type { ReadProblem, Span } from '../../types';
import { chartReads } from '../../versions';
import { isKubernetesTlsSecret } from '../../yaml/harborYaml';
import { rootMaps, type YamlEntry, type YamlMapView } from '../../yaml/yamlModel';
import type { RuleContext } from '../rule';

/** Key and certificate files over this size are not read. */
export const MAX_TLS_FILE_BYTES = 1024 * 1024;

/** Where TLS material comes from: a file path as written, or PEM text in the document. */
export type MaterialRef =
  | { kind: 'file'; written: string; path: string; span: Span }
  | { kind: 'inline'; text: string; span: Span; base64?: boolean };

export type TlsSiteKind = 'harbor-yml' | 'nginx' | 'nginx-proxy' | 'helm-internal-tls' | 'tls-secret';

export interface TlsSite {
  kind: TlsSiteKind;
  /** How messages name the pair: `https.certificate / https.private_key`, `ssl_certificate #2`. */
  label: string;
  cert?: MaterialRef;
  key?: MaterialRef;
  /** Span the pair's findings anchor on when they are not about one side. */
  anchor: Span;
  /** Names clients use to reach this server (checked against the certificate's SANs). */
  hostnames: { name: string; source: string }[];
  /** For a Kubernetes TLS Secret: its metadata.name. */
  secretName?: string;
  /** nginx: an `ssl_password_file` is in effect, so an encrypted key is fine. */
  passwordFile: boolean;
  /** The file may be a path inside a container (Harbor's own nginx): do not report it missing. */
  containerPaths: boolean;
}

export type LoadedMaterial =
  | { ok: true; objects: InspectedObject[]; ref: MaterialRef; readFrom?: { path: string; via: 'mapping' | 'search' } }
  | { ok: false; problem: ReadProblem | 'decode'; message: string; ref: MaterialRef; lookedAt?: string; candidates?: string[] };

/** nginx paths that are not files: variables (`$ssl_server_name`), `data:` and `engine:` prefixes. */
function isDynamicNginxPath(value: string): boolean {
  return value.includes('$') || value.startsWith('data:') || value.startsWith('engine:') || value.startsWith('store:');
}

/** A path as the reading program resolves it: absolute as-is, else against `baseDir`. */
export function resolvePath(baseDir: string | undefined, written: string): string | undefined {
  const value = written.replace(/\\/g, '/');
  if (isAbsolute(value)) return normalize(value);
  if (/^[A-Za-z]:\//.test(value)) return value; // a Windows drive path
  if (!baseDir) return undefined;
  return normalize(join(baseDir.replace(/\\/g, '/'), value));
}

/** Folder of the checked document, when it lives on a file system. */
export function documentDir(context: Pick<RuleContext, 'path' | 'uri' | 'nginx'>): string | undefined {
  const path = context.path ?? context.nginx?.root.path ?? (context.uri.startsWith('/') ? context.uri : undefined);
  return path ? dirname(path.replace(/\\/g, '/')) : undefined;
}

/** Where the files a document names are looked for: its file access, `paths:` mappings and search roots. */
export function materialEnvironment(context: Pick<RuleContext, 'files' | 'pathMappings' | 'searchRoots' | 'path' | 'uri' | 'nginx'>): PathEnvironment {
  return { files: context.files, mappings: context.pathMappings, searchRoots: context.searchRoots, documentDir: documentDir(context) };
}

export async function loadMaterial(env: PathEnvironment, ref: MaterialRef): Promise<LoadedMaterial> {
  if (ref.kind === 'inline') {
    if (ref.base64) {
      const compact = ref.text.replace(/\s+/g, '');
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return { ok: false, problem: 'decode', message: 'it is not valid base64', ref };
      return { ok: true, objects: inspectBytes(new Uint8Array(Buffer.from(compact, 'base64'))), ref };
    }
    return { ok: true, objects: inspectPem(ref.text), ref };
  }
  let result;
  try {
    result = await readLocated(env, ref.path, ref.written, MAX_TLS_FILE_BYTES);
  } catch (error) {
    return { ok: false, problem: 'unreadable', message: `it could not be read (${(error as Error)?.message ?? error})`, ref };
  }
  if (!result.ok) {
    return { ok: false, problem: result.problem, message: result.message, ref, ...(result.path !== ref.path ? { lookedAt: result.path } : {}), ...(result.candidates ? { candidates: result.candidates } : {}) };
  }
  const readFrom = result.via === 'as-written' ? undefined : { path: result.path, via: result.via };
  return { ok: true, objects: inspectBytes(result.bytes, { fileName: result.path }), ref, ...(readFrom ? { readFrom } : {}) };
}

/** Why a file could not be read here, as a clause for hovers and the summary. */
export function unreadableReason(loaded: Extract<LoadedMaterial, { ok: false }>): string {
  if (loaded.candidates && loaded.candidates.length > 1) {
    return `it is not on this machine, and ${loaded.candidates.length} files of that name in the workspace fit equally well`;
  }
  if (loaded.problem === 'missing') return loaded.lookedAt ? `${loaded.lookedAt} (from \`paths:\`) does not exist` : 'it is not on this machine';
  return loaded.lookedAt ? `${loaded.lookedAt} (from \`paths:\`): ${loaded.message}` : loaded.message;
}

/**
 * A file that cannot be read is not a finding: the config usually names a path
 * on the Harbor or proxy host. It is recorded for the hover and the summary.
 * Returns whether the load failed for that reason (a decode failure is the caller's finding).
 */
export function noteIfUnreadable(context: Pick<RuleContext, 'noteUnreadable'>, site: TlsSite, loaded: LoadedMaterial | undefined): boolean {
  if (!loaded || loaded.ok || loaded.problem === 'decode') return false;
  const ref = loaded.ref;
  if (ref.kind !== 'file') return true;
  // Harbor's own nginx names paths inside its container; no file system (virtual workspace) has nothing to say.
  if ((site.containerPaths && loaded.problem === 'missing') || loaded.problem === 'unsupported') return true;
  context.noteUnreadable({ written: ref.written, path: loaded.lookedAt ?? ref.path, reason: unreadableReason(loaded), span: ref.span });
  return true;
}

/** Related information naming the file that was read for a path, when it is not the path as written. */
export function readFromRelated(...loaded: (LoadedMaterial | undefined)[]): { file: string; span: Span; text: string; message: string }[] {
  const related = [];
  for (const item of loaded) {
    if (!item?.ok || !item.readFrom || item.ref.kind !== 'file') continue;
    const how = item.readFrom.via === 'mapping' ? 'mapped with `paths:`' : 'found by name in the workspace, nearest this config';
    related.push({ file: item.readFrom.path, span: { start: 0, end: 0 }, text: '', message: `read for ${item.ref.written} (${how})` });
  }
  return related;
}

// ---------------------------------------------------------------------------------------------
// Sites

export function collectTlsSites(context: Pick<RuleContext, 'installer' | 'helmValues' | 'nginx' | 'yaml' | 'path' | 'uri' | 'recognition'>): TlsSite[] {
  const sites: TlsSite[] = [];
  const dir = documentDir(context);
  if (context.installer) sites.push(...installerSites(context.installer, dir));
  for (const target of context.helmValues) sites.push(...internalTlsSites(target.values));
  if (context.yaml) sites.push(...withExternalUrlHosts(secretSites(rootMaps(context.yaml)), context.helmValues));
  if (context.nginx) sites.push(...nginxSites(context.nginx));
  return sites;
}

function fileRef(entry: YamlEntry | undefined, dir: string | undefined): MaterialRef | undefined {
  if (!entry || entry.generated || typeof entry.value !== 'string' || entry.value.trim() === '') return undefined;
  const written = entry.value.trim();
  if (/^\/your\/|^<.*>$/.test(written)) return undefined; // the template's placeholders: HB-INSTALLER-PLACEHOLDERS
  const path = resolvePath(dir, written);
  return path ? { kind: 'file', written, path, span: entry.valueSpan } : undefined;
}

function installerSites(installer: YamlMapView, dir: string | undefined): TlsSite[] {
  const https = installer.getMap('https');
  if (!https) return [];
  const cert = fileRef(https.get('certificate'), dir);
  const key = fileRef(https.get('private_key'), dir);
  if (!cert && !key) return [];
  const hostname = installer.literalString('hostname');
  const hostnames = hostname && !/^reg\.mydomain\.com$/.test(hostname.value) ? [{ name: hostname.value, source: 'hostname' }] : [];
  return [
    {
      kind: 'harbor-yml',
      label: 'https.certificate / https.private_key',
      cert,
      key,
      anchor: (https.get('certificate') ?? https.get('private_key'))!.keySpan,
      hostnames,
      // The installer's nginx has no ssl_password_file.
      passwordFile: false,
      containerPaths: false,
    },
  ];
}

const INTERNAL_TLS_COMPONENTS = ['core', 'jobservice', 'registry', 'portal', 'trivy', 'exporter'];

function inlineRef(entry: YamlEntry | undefined): MaterialRef | undefined {
  if (!entry || entry.generated || typeof entry.value !== 'string' || !entry.value.includes('-----BEGIN')) return undefined;
  return { kind: 'inline', text: entry.value, span: entry.valueSpan };
}

function internalTlsSites(values: YamlMapView): TlsSite[] {
  const tls = values.getMap('internalTLS');
  if (!tls) return [];
  const enabled = tls.get('enabled');
  if (enabled && (enabled.value === false || enabled.value === 'false')) return [];
  const source = tls.literalString('certSource')?.value;
  if (source !== undefined && source !== 'manual') return [];
  const sites: TlsSite[] = [];
  for (const component of INTERNAL_TLS_COMPONENTS) {
    const map = tls.getMap(component);
    if (!map) continue;
    const cert = inlineRef(map.get('crt'));
    const key = inlineRef(map.get('key'));
    if (!cert && !key) continue;
    sites.push({
      kind: 'helm-internal-tls',
      label: `internalTLS.${component}.crt / .key`,
      cert,
      key,
      anchor: (map.get('crt') ?? map.get('key'))!.keySpan,
      hostnames: [],
      passwordFile: false,
      containerPaths: false,
    });
  }
  return sites;
}

/**
 * The Secret the chart's ingress serves (expose.tls.secret.secretName) must cover
 * externalURL's host: that is the name docker login and the token realm use.
 */
function withExternalUrlHosts(sites: TlsSite[], targets: RuleContext['helmValues']): TlsSite[] {
  for (const target of targets) {
    const { values } = target;
    // Charts before 1.5 read a flat expose.tls.secretName, later ones expose.tls.secret.secretName; unknown version: either.
    const secretName = (['expose.tls.secret.secretName', 'expose.tls.secretName'] as const)
      .filter((path) => chartReads(target, path) !== false)
      .map((path) => values.literalString(path)?.value)
      .find((name) => name !== undefined);
    const url = values.literalString('externalURL')?.value;
    const host = url ? /^https:\/\/([^/:]+)/i.exec(url.trim())?.[1] : undefined;
    if (!secretName || !host) continue;
    for (const site of sites) {
      if (site.kind === 'tls-secret' && site.secretName === secretName) site.hostnames.push({ name: host.toLowerCase(), source: 'externalURL' });
    }
  }
  return sites;
}

function secretSites(roots: YamlMapView[]): TlsSite[] {
  const sites: TlsSite[] = [];
  for (const root of roots) {
    if (!isKubernetesTlsSecret(root)) continue;
    const name = root.literalString('metadata.name')?.value ?? '(unnamed)';
    const side = (key: string): MaterialRef | undefined => {
      const data = root.getMap('data')?.get([key]);
      if (data && !data.generated && typeof data.value === 'string' && data.value.trim() !== '') {
        return { kind: 'inline', text: data.value, span: data.valueSpan, base64: true };
      }
      return inlineRef(root.getMap('stringData')?.get([key]));
    };
    const cert = side('tls.crt');
    const key = side('tls.key');
    if (!cert && !key) continue;
    const kindEntry = root.get('kind')!;
    sites.push({
      kind: 'tls-secret',
      label: `Secret ${name} (tls.crt / tls.key)`,
      secretName: name,
      cert,
      key,
      anchor: root.get('metadata.name')?.valueSpan ?? kindEntry.valueSpan,
      hostnames: [],
      passwordFile: false,
      containerPaths: false,
    });
  }
  return sites;
}

/**
 * The scopes where `name` may be set: every scope, or none when no directive of
 * the files in view has that name (most configs), without building a scope per block.
 */
function scopesThatMaySet(model: NginxModel, name: FileWideName): Scope[] {
  const roots = mainScopes(model);
  // The model's files hold all that its main scope reaches, unless that is an includer's (in another file).
  const named = model.includer ? roots.some((root) => findAll(root.directives, name).length > 0) : findAllInFiles(model.files, name).length > 0;
  return named ? scopesFrom(roots) : [];
}

/** The main scope the servers hang from (the model keeps no other handle on it; an includer's, for a conf.d file). */
function mainScopes(model: NginxModel): Scope[] {
  const roots: Scope[] = [];
  for (const server of model.servers) {
    let top = server.scope;
    while (top.parent) top = top.parent;
    if (!roots.includes(top)) roots.push(top);
  }
  if (roots.length === 0) roots.push({ block: null, parent: null, directives: [] });
  return roots;
}

function scopesFrom(roots: readonly Scope[]): Scope[] {
  const scopes: Scope[] = [];
  const pending = [...roots];
  while (pending.length > 0 && scopes.length < 4096) {
    const scope = pending.pop()!;
    scopes.push(scope);
    for (const name of ['http', 'server', 'location', 'if']) pending.push(...childScopes(scope, name));
  }
  return scopes;
}

const INCLUDED_FOLDERS = /^(conf\.d|sites-enabled|sites-available|http\.d|vhosts\.d|servers)$/;

// Two rules and a hover ask for the same model's sites; a 20,000-line config has thousands of scopes to walk.
const sitesOfModel = new WeakMap<NginxModel, TlsSite[]>();

function nginxSites(model: NginxModel): TlsSite[] {
  let sites = sitesOfModel.get(model);
  if (!sites) sitesOfModel.set(model, (sites = findNginxSites(model)));
  return sites;
}

function findNginxSites(model: NginxModel): TlsSite[] {
  const sites: TlsSite[] = [];
  // nginx's prefix is the folder of nginx.conf; a checked conf.d file sits one level below it.
  let prefix = dirname(model.root.path.replace(/\\/g, '/'));
  if (INCLUDED_FOLDERS.test(prefix.split('/').pop() ?? '')) prefix = dirname(prefix);
  const internal = model.role === 'internal';
  const seen = new Set<string>();
  const ref = (directive: NginxDirective | undefined): MaterialRef | undefined => {
    const arg = directive?.args[0];
    if (!directive || !arg || directive.templated || arg.templated || isDynamicNginxPath(arg.value)) return undefined;
    const anchor = anchorInRoot(model, directive);
    if (!anchor) return undefined;
    const path = resolvePath(prefix, arg.value);
    if (!path) return undefined;
    return { kind: 'file', written: arg.value, path, span: anchor === directive ? arg.span : anchor.span };
  };
  const servers = model.servers.filter((server) => server.scope.block && (internal || server.harbor));
  for (const server of servers) {
    const certs = effectiveList(server.scope, 'ssl_certificate').directives;
    const keys = effectiveList(server.scope, 'ssl_certificate_key').directives;
    const tls = server.listens.some((args) => args.includes('ssl') || args.includes('quic')) || effectiveDirective(server.scope, 'ssl')?.args[0]?.value === 'on';
    const passwordFile = !!effectiveDirective(server.scope, 'ssl_password_file');
    const hostnames = tls
      ? server.names.filter((name) => name && name !== '_' && name !== 'localhost' && !name.startsWith('~') && !name.includes('*') && !name.includes('$')).map((name) => ({ name, source: 'server_name' }))
      : [];
    for (let i = 0; i < Math.max(certs.length, keys.length); i++) {
      const cert = ref(certs[i]);
      const key = ref(keys[i]);
      if (!cert && !key) continue;
      const id = `ssl:${certs[i]?.span.start ?? ''}:${certs[i]?.file ?? ''}:${keys[i]?.span.start ?? ''}:${server.scope.block!.span.start}`;
      if (seen.has(id)) continue;
      seen.add(id);
      sites.push({
        kind: 'nginx',
        label: certs.length > 1 ? `ssl_certificate #${i + 1} / ssl_certificate_key #${i + 1}` : 'ssl_certificate / ssl_certificate_key',
        cert,
        key,
        anchor: (cert ?? key)!.span,
        hostnames,
        passwordFile,
        containerPaths: internal,
      });
    }
  }
  // proxy_ssl_certificate: the client certificate nginx presents to an HTTPS upstream.
  for (const scope of scopesThatMaySet(model, 'proxy_ssl_certificate')) {
    for (const directive of scope.directives.filter((d) => d.name === 'proxy_ssl_certificate')) {
      const keyDirective = scope.directives.filter((d) => d.name === 'proxy_ssl_certificate_key').pop() ?? effectiveDirective(scope, 'proxy_ssl_certificate_key');
      const cert = ref(directive);
      const key = ref(keyDirective);
      if (!cert && !key) continue;
      const id = `proxy:${directive.file}:${directive.span.start}`;
      if (seen.has(id)) continue;
      seen.add(id);
      sites.push({
        kind: 'nginx-proxy',
        label: 'proxy_ssl_certificate / proxy_ssl_certificate_key',
        cert,
        key,
        anchor: (cert ?? key)!.span,
        hostnames: [],
        passwordFile: !!effectiveDirective(scope, 'proxy_ssl_password_file'),
        containerPaths: internal,
      });
    }
  }
  return sites;
}

/** Loads both sides of each site once. */
export async function loadSites(env: PathEnvironment, sites: readonly TlsSite[]): Promise<{ site: TlsSite; cert?: LoadedMaterial; key?: LoadedMaterial }[]> {
  const cache = new Map<string, Promise<LoadedMaterial>>();
  const load = (ref: MaterialRef | undefined): Promise<LoadedMaterial> | undefined => {
    if (!ref) return undefined;
    if (ref.kind === 'inline') return loadMaterial(env, ref);
    let pending = cache.get(ref.path);
    if (!pending) {
      pending = loadMaterial(env, ref);
      cache.set(ref.path, pending);
    }
    return pending.then((loaded) => ({ ...loaded, ref }));
  };
  const out = [];
  for (const site of sites) out.push({ site, cert: await load(site.cert), key: await load(site.key) });
  return out;
}

export function certificatesOf(loaded: LoadedMaterial | undefined): InspectedObject[] {
  return loaded?.ok ? loaded.objects.filter((o) => o.kind === 'certificate') : [];
}

export function keyOf(loaded: LoadedMaterial | undefined): InspectedObject | undefined {
  return loaded?.ok ? loaded.objects.find((o) => o.kind === 'private-key') : undefined;
}
