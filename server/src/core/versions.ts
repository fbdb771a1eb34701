/**
 * Which chart or installer version a file is for. One place answers it for
 * every rule, hover and completion: the file's own pin (a Flux HelmRelease
 * `version`, an Argo CD `targetRevision`, harbor.yml's `_version`), a comment,
 * the wrapper chart's Chart.lock / Chart.yaml next to the values file (read
 * through FileAccess), then `.harbor-audit.yaml`; else the newest we know,
 * and we say so.
 */
import { parse } from 'yaml';
import { keyData } from './keys/keyData';
import { compareVersions, minorOf, VersionedKeys, type EncodedVersions, type KeySet } from './keys/keyModel';
import type { RuleContext } from './rules/rule';
import type { AuditSettings } from './settings';
import type { FileAccess } from './types';
import { installerVersion } from './yaml/harborYaml';

interface KeyDataShape {
  chart: EncodedVersions;
  chartApp: Record<string, string>;
  installer: EncodedVersions;
  installerFormat: Record<string, 'yml' | 'cfg'>;
  installerEnums: Record<string, Record<string, string[]>>;
}

let loaded: KeyDataShape | undefined;
let chartModel: VersionedKeys | undefined;
let installerModel: VersionedKeys | undefined;

function data(): KeyDataShape {
  loaded ??= JSON.parse(keyData) as KeyDataShape;
  return loaded;
}

/** Every goharbor chart version's values keys (the last patch of each minor, 1.0 to 1.19). */
export function chartKeys(): VersionedKeys {
  chartModel ??= new VersionedKeys(data().chart);
  return chartModel;
}

/** Every installer version's harbor.yml (2.x, 1.8+) or harbor.cfg (before 1.8) keys. */
export function installerKeys(): VersionedKeys {
  installerModel ??= new VersionedKeys(data().installer);
  return installerModel;
}

/** The values prepare accepts for a harbor.yml key in an installer version (`log.level`, storage drivers). */
export function installerEnums(version: string): Record<string, string[]> {
  return data().installerEnums[version] ?? {};
}

export function installerFormat(version: string): 'yml' | 'cfg' {
  return data().installerFormat[version] ?? 'yml';
}

/**
 * The version whose harbor.cfg keys apply to a harbor.cfg file: the detected one when it is a
 * harbor.cfg version (Harbor ≤ 1.7), else the newest harbor.cfg version, marked as assumed.
 */
export function cfgVersionFor(version: DetectedVersion): DetectedVersion {
  if (installerFormat(version.model) === 'cfg') return version;
  const newest = installerKeys().versions.filter((v) => installerFormat(v) === 'cfg').pop()!;
  return { ...version, model: newest, known: false };
}

/** The Harbor version a chart version ships (`1.13.5` → `2.9.5`). */
export function chartAppVersion(chartVersion: string): string | undefined {
  return data().chartApp[chartVersion];
}

export type VersionSource =
  | 'helmrelease'
  | 'argo'
  | 'comment'
  | 'chart-lock'
  | 'chart-yaml'
  | 'chart-yaml-self'
  | 'settings'
  | 'installer-version'
  | 'newest';

export interface DetectedVersion {
  kind: 'chart' | 'installer';
  /** The version or range as written (`1.13.0`, `~1.13`, `2.11.0`); undefined when nothing named one. */
  written?: string;
  /** The version in the key model that rules and completion use (`1.13.5`: the last patch of that minor). */
  model: string;
  /** Whether the file, its folder or the settings named the version (false: the newest is assumed). */
  known: boolean;
  source: VersionSource;
  /** Where it came from, in words: `Chart.yaml dependency`, `.harbor-audit.yaml chartVersion`. */
  from: string;
}

const SOURCE_WORDS: Record<VersionSource, string> = {
  helmrelease: 'the HelmRelease spec.chart.spec.version',
  argo: 'the Argo CD targetRevision',
  comment: 'a comment in this file',
  'chart-lock': 'Chart.lock next to this file',
  'chart-yaml': "the harbor dependency in Chart.yaml next to this file",
  'chart-yaml-self': 'Chart.yaml next to this file',
  settings: '.harbor-audit.yaml',
  'installer-version': '_version in this file',
  newest: 'no version found',
};

/** One line for the hover and the status item: `chart 1.13 (from the Argo CD targetRevision)`. */
export function describeVersion(version: DetectedVersion): string {
  const what = version.kind === 'chart' ? 'chart' : 'Harbor installer';
  if (!version.known) return `${what} version not found in this file or next to it; the newest (${minorOf(version.model)}) is assumed`;
  const shown = version.written && version.written !== version.model ? `${version.written}, keys of ${minorOf(version.model)}` : minorOf(version.model);
  return `${what} ${shown} (from ${SOURCE_WORDS[version.source]})`;
}

// ------------------------------------------------------------------ resolution

interface Comparator {
  op: '' | '=' | '>' | '>=' | '<' | '<=' | '~' | '^';
  parts: (number | undefined)[];
}

function parseConstraint(text: string): Comparator[][] | undefined {
  const alternatives = text.split('||').map((alt) => alt.trim()).filter(Boolean);
  if (alternatives.length === 0) return undefined;
  const result: Comparator[][] = [];
  for (const alt of alternatives) {
    // `1.2.3 - 1.4.0` hyphen ranges
    const hyphen = /^v?([\d.xX*]+)\s+-\s+v?([\d.xX*]+)$/.exec(alt);
    const pieces = hyphen ? [`>=${hyphen[1]}`, `<=${hyphen[2]}`] : alt.split(/\s*,\s*|\s+(?=[<>=~^]|v?\d)/).filter(Boolean);
    const set: Comparator[] = [];
    for (const piece of pieces) {
      const m = /^(>=|<=|>|<|=|~>?|\^)?\s*v?(\d+|x|X|\*)(?:\.(\d+|x|X|\*))?(?:\.(\d+|x|X|\*))?(?:[-+][0-9A-Za-z.-]*)?$/.exec(piece.trim());
      if (!m) return undefined;
      const num = (s: string | undefined) => (s === undefined || /^[xX*]$/.test(s) ? undefined : Number(s));
      const op = (m[1] === '~>' ? '~' : (m[1] ?? '')) as Comparator['op'];
      set.push({ op, parts: [num(m[2]), num(m[3]), num(m[4])] });
    }
    result.push(set);
  }
  return result;
}

/** Whether a chart minor line (`1.13`, any patch) can satisfy one comparator: versions are compared by minor. */
function minorSatisfies(minor: [number, number], c: Comparator): boolean {
  const [maj, min] = c.parts;
  if (maj === undefined) return true;
  const cmp = (a: [number, number], b: [number, number]) => a[0] - b[0] || a[1] - b[1];
  const target: [number, number] = [maj, min ?? 0];
  switch (c.op) {
    case '':
    case '=':
    case '~':
      return min === undefined ? minor[0] === maj : cmp(minor, target) === 0;
    case '^':
      return minor[0] === maj && cmp(minor, target) >= 0;
    case '>=':
      return cmp(minor, target) >= 0;
    case '>':
      return min === undefined ? minor[0] > maj : cmp(minor, target) > 0 || (cmp(minor, target) === 0 && c.parts[2] !== undefined);
    case '<':
      return min === undefined ? minor[0] < maj : cmp(minor, target) < 0 || (cmp(minor, target) === 0 && (c.parts[2] ?? 0) > 0);
    case '<=':
      return min === undefined ? minor[0] <= maj : cmp(minor, target) <= 0;
  }
}

/**
 * The model version for a written version or range: the last patch of the
 * highest minor the constraint allows (what `helm dependency update` picks),
 * or undefined when it allows none we know or is not a version (a git ref).
 */
export function resolveVersion(versions: readonly string[], written: string): string | undefined {
  const constraint = parseConstraint(written.trim());
  if (!constraint) return undefined;
  const matching = versions.filter((version) => {
    const [maj, min] = version.split('.').map(Number);
    return constraint.some((set) => set.every((c) => minorSatisfies([maj, min], c)));
  });
  return matching.sort(compareVersions).pop();
}

// ------------------------------------------------------------------ detection

export interface ChartVersionInput {
  /** The version the file itself pins (Flux/Argo), as HelmValuesTarget.chartVersion holds it. */
  pinned?: string;
  pinnedBy?: 'flux' | 'argo';
  text: string;
  path?: string;
  files: FileAccess;
  settings?: AuditSettings;
}

const CHART_COMMENT = /#[^\n]*?\b(?:chart[ _-]?version|harbor[ _-]?chart|harbor-helm|goharbor\/harbor|helm\.goharbor\.io)\b[^\n\d]{0,24}?v?(\d+\.\d+(?:\.\d+)?)/i;
const INSTALLER_COMMENT = /#[^\n]*?\bharbor(?:[ _-]?version)?\b[^\n\d]{0,12}?v?([12]\.\d+(?:\.\d+)?)/i;

function dirnameOf(path: string): string {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return cut < 0 ? '.' : path.slice(0, cut);
}

async function readYamlNextTo(files: FileAccess, path: string, name: string): Promise<unknown> {
  const read = await files.readFile(`${dirnameOf(path)}/${name}`, { maxBytes: 256 * 1024 });
  if (!read.ok) return undefined;
  try {
    return parse(new TextDecoder().decode(read.bytes), { prettyErrors: false });
  } catch {
    return undefined;
  }
}

function harborDependency(doc: unknown): string | undefined {
  const deps = (doc as { dependencies?: unknown })?.dependencies;
  if (!Array.isArray(deps)) return undefined;
  for (const dep of deps) {
    if (!dep || typeof dep !== 'object') continue;
    const { name, repository, version } = dep as Record<string, unknown>;
    const goharbor = name === 'harbor' && (typeof repository !== 'string' || !/bitnami/i.test(repository));
    if (goharbor && (typeof version === 'string' || typeof version === 'number')) return String(version);
  }
  return undefined;
}

function detected(kind: DetectedVersion['kind'], model: VersionedKeys, written: string | undefined, source: VersionSource): DetectedVersion | undefined {
  if (!written) return undefined;
  const resolved = resolveVersion(model.versions, written);
  if (!resolved) return undefined;
  return { kind, written, model: resolved, known: true, source, from: SOURCE_WORDS[source] };
}

export async function detectChartVersion(input: ChartVersionInput): Promise<DetectedVersion> {
  const model = chartKeys();
  const pinned = detected('chart', model, input.pinned, input.pinnedBy === 'flux' ? 'helmrelease' : 'argo');
  if (pinned) return pinned;
  const comment = detected('chart', model, CHART_COMMENT.exec(input.text)?.[1], 'comment');
  if (comment) return comment;
  if (input.path) {
    const lock = detected('chart', model, harborDependency(await readYamlNextTo(input.files, input.path, 'Chart.lock')), 'chart-lock');
    if (lock) return lock;
    const chart = (await readYamlNextTo(input.files, input.path, 'Chart.yaml')) as Record<string, unknown> | undefined;
    const dependency = detected('chart', model, harborDependency(chart), 'chart-yaml');
    if (dependency) return dependency;
    // A copy of the goharbor chart itself: its own version.
    if (chart?.name === 'harbor' && /goharbor/i.test(String(chart.home ?? '') + String(chart.sources ?? ''))) {
      const self = detected('chart', model, String(chart.version ?? ''), 'chart-yaml-self');
      if (self) return self;
    }
  }
  const fromSettings = detected('chart', model, input.settings?.chartVersion, 'settings');
  if (fromSettings) return fromSettings;
  const harbor = input.settings?.harborVersion;
  if (harbor) {
    const chart = model.versions.find((version) => minorOf(chartAppVersion(version) ?? '') === minorOf(harbor));
    if (chart) return { kind: 'chart', written: `Harbor ${harbor}`, model: chart, known: true, source: 'settings', from: SOURCE_WORDS.settings };
  }
  return { kind: 'chart', model: model.newest, known: false, source: 'newest', from: SOURCE_WORDS.newest };
}

export function detectInstallerVersion(input: { declared?: string; text: string; settings?: AuditSettings }): DetectedVersion {
  const model = installerKeys();
  const declared = detected('installer', model, input.declared, 'installer-version');
  if (declared) return declared;
  const comment = detected('installer', model, INSTALLER_COMMENT.exec(input.text)?.[1], 'comment');
  if (comment) return comment;
  const fromSettings = detected('installer', model, input.settings?.harborVersion, 'settings');
  if (fromSettings) return fromSettings;
  return { kind: 'installer', model: model.newest, known: false, source: 'newest', from: SOURCE_WORDS.newest };
}

/** The keys of the version detected for a file. */
export function keysFor(version: DetectedVersion): KeySet {
  return (version.kind === 'chart' ? chartKeys() : installerKeys()).keys(version.model);
}

/** `a` compared with `b` by minor (`1.11.4` vs `1.12`): negative, zero or positive. */
export function compareMinor(a: string, b: string): number {
  return compareVersions(minorOf(a), minorOf(b));
}

/** A version range in words: `1.0–1.11`, `1.14 and later`. */
export function describeVersionSpan(kind: DetectedVersion['kind'], versions: readonly string[]): string {
  const all = (kind === 'chart' ? chartKeys() : installerKeys()).versions;
  if (versions.length === 0) return 'no version';
  const first = minorOf(versions[0]);
  const last = minorOf(versions[versions.length - 1]);
  const contiguous = all.indexOf(versions[versions.length - 1]) - all.indexOf(versions[0]) === versions.length - 1;
  const what = kind === 'chart' ? 'chart' : 'Harbor';
  if (!contiguous) return `${what} ${versions.map(minorOf).join(', ')}`;
  if (versions[versions.length - 1] === all[all.length - 1]) return first === last ? `${what} ${first}` : `${what} ≥ ${first}`;
  if (versions[0] === all[0]) return `${what} ≤ ${last}`;
  return first === last ? `${what} ${first}` : `${what} ${first}–${last}`;
}

// ------------------------------------------------------------------ the analysis' use

/**
 * Detects the version of each chart values target and of the installer
 * config in a context, fills `chartVersion` where the file itself named none
 * (so version-dependent rules see the wrapper's or the settings' version), and
 * says in the recognition which version applies. Returns the files read.
 */
export async function versionsFor(context: RuleContext, settings?: AuditSettings): Promise<string[]> {
  const read: string[] = [];
  const notes: string[] = [];
  for (const target of context.helmValues) {
    const pinnedBy = target.location === 'flux' || target.location === 'argo' ? target.location : undefined;
    target.version = await detectChartVersion({ pinned: target.chartVersion, pinnedBy, text: context.text, path: context.path, files: context.files, settings });
    if (!target.chartVersion && target.version.known) {
      target.chartVersion = target.version.written && resolveVersion(chartKeys().versions, target.version.written) ? target.version.written : target.version.model;
    }
    notes.push(describeVersion(target.version));
  }
  if (context.helmValues.length > 0 && context.path) read.push(`${dirnameOf(context.path)}/Chart.yaml`, `${dirnameOf(context.path)}/Chart.lock`);
  if (context.recognition.kind === 'harbor-yml' || context.recognition.kind === 'harbor-cfg') {
    const declared = context.installer ? installerVersion(context.installer) : context.legacyCfg?.entries.get('_version')?.value;
    context.installerVersion = detectInstallerVersion({ declared, text: context.text, settings });
    notes.push(describeVersion(context.installerVersion));
  }
  const unique = [...new Set(notes)];
  if (unique.length > 0) context.recognition = { ...context.recognition, reason: `${context.recognition.reason}; ${unique.join('; ')}` };
  return read;
}

/**
 * Whether the chart version some values are for reads a key: true or false when
 * the file, its folder or the settings named the version; undefined otherwise
 * (rules then keep the claim that holds for the newest chart).
 */
export function chartReads(target: { version?: DetectedVersion }, path: string): boolean | undefined {
  if (!target.version?.known || target.version.kind !== 'chart') return undefined;
  return chartKeys().keys(target.version.model).known(path);
}

/** `chart 1.4` for messages, from the detected version. */
export function chartName(target: { version?: DetectedVersion; chartVersion?: string }): string {
  return `chart ${target.chartVersion ?? (target.version ? minorOf(target.version.model) : '')}`.trim();
}
