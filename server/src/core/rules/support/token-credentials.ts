/**
 * Shared by the token-key rules (HB-TOKEN-PAIR, HB-TOKEN-KEY-FORMAT, HB-LEGACY-TOKEN-KEY,
 * HB-TOKEN-KEY-SHARED, HB-GITOPS-RANDOM) and the inline-PEM hover: inline PEM in chart
 * values, chart versions as Argo/Flux pin them, and the edits their fixes make.
 */
import { isMap, isScalar, Scalar, type Node } from 'yaml';
import { inspectPem, type InspectedObject } from '../../pki';
import type { LineIndex } from '../../text';
import type { TextEdit } from '../../types';
import type { ReportFix } from '../rule';
import { insertFirstInMap, replaceEntry } from '../../yaml/edits';
import type { HelmValuesTarget } from '../../yaml/harborYaml';
import type { ParsedYaml, YamlEntry, YamlMapView } from '../../yaml/yamlModel';

export interface InlinePem {
  entry: YamlEntry;
  /** The scalar's value (a block scalar without its indentation). */
  value: string;
  objects: InspectedObject[];
}

/** Hard-coded PEM text at `path`: literal (not templated), non-empty. Undefined otherwise. */
export function inlinePem(values: YamlMapView, path: string): InlinePem | undefined {
  const found = values.literalString(path);
  if (!found) return undefined;
  return { entry: found.entry, value: found.value, objects: inspectPem(found.value, { allowIndent: true }) };
}

export const privateKeyOf = (pem: InlinePem | undefined) => pem?.objects.find((o) => o.kind === 'private-key');
export const certificateOf = (pem: InlinePem | undefined) => pem?.objects.find((o) => o.kind === 'certificate');

export function isGitOps(target: HelmValuesTarget): boolean {
  return target.location === 'argo' || target.location === 'flux';
}

export function gitOpsName(target: HelmValuesTarget): string {
  return target.location === 'argo' ? 'Argo CD (which renders with `helm template`)' : 'Flux';
}

/** `core.secretName` names a Secret: the chart then ignores tokenKey/tokenCert and never generates a key. */
export function hasTokenSecret(values: YamlMapView): boolean {
  return values.isSet('core.secretName');
}

// ---------------------------------------------------------------------------------------------
// Chart versions (Argo `targetRevision`, Flux `spec.chart.spec.version`)

function cmp(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * Whether the chart version the file pins is below `major.minor` or at least it.
 * Undefined when the file names no version, or a range or wildcard leaves it open
 * (`*`, `1.x`, `^1.10.0`, a git ref): version-specific findings then stay quiet.
 */
export function chartVersionVs(version: string | undefined, major: number, minor: number): 'below' | 'at-least' | undefined {
  if (!version) return undefined;
  const target = [major, minor];
  let below = false;
  let atLeast = false;
  for (const part of version.trim().split(/\s*,\s*|\s+/)) {
    const m = /^(>=|<=|>|<|=|~>?|\^)?\s*v?(\d+)(?:\.(\d+|x|X|\*))?(?:\.(\d+|x|X|\*))?(?:[-+].*)?$/.exec(part);
    if (!m) return undefined;
    const op = m[1] ?? '';
    const maj = Number(m[2]);
    const min = m[3] === undefined || /^[xX*]$/.test(m[3]) ? undefined : Number(m[3]);
    if (min === undefined) {
      // `1`, `1.x`: only the major is fixed.
      if (op === '' || op === '=' || op.startsWith('~') || op === '^') {
        if (maj < major) below = true;
        else if (maj > major) atLeast = true;
        continue;
      }
      return undefined;
    }
    const v = [maj, min];
    switch (op) {
      case '':
      case '=':
      case '~':
      case '~>':
        if (cmp(v, target) < 0) below = true;
        else atLeast = true;
        break;
      case '^':
      case '>=':
      case '>':
        if (cmp(v, target) >= 0) atLeast = true;
        else if (maj < major) below = true; // ^0.x stays below 1.0
        break;
      case '<':
        if (cmp(v, target) <= 0) below = true;
        break;
      case '<=':
        if (cmp(v, target) < 0) below = true;
        break;
      default:
        return undefined;
    }
  }
  if (below && !atLeast) return 'below';
  if (atLeast && !below) return 'at-least';
  return undefined;
}

/** Chart 1.1 to 1.11 sign with the key pair built into the chart when core.secretName is empty (HB-LEGACY-TOKEN-KEY). */
export function usesBuiltInChartKey(target: HelmValuesTarget): boolean {
  return chartVersionVs(target.chartVersion, 1, 12) === 'below' && chartVersionVs(target.chartVersion, 1, 1) === 'at-least';
}

// ---------------------------------------------------------------------------------------------
// Edits

/**
 * Outer offset of the end of a value's last non-blank character. A block scalar's
 * range ends after its final line break, which for YAML embedded in an Argo
 * `helm.values: |` string maps into the next line of the outer file: trim first, then map.
 */
export function valueEnd(yaml: ParsedYaml, entry: YamlEntry): number {
  const range = (entry.pair.value as Node | null)?.range;
  if (!range) return entry.valueSpan.end;
  let end = range[1];
  while (end > range[0] && /[\r\n\t ]/.test(yaml.text[end - 1])) end--;
  return yaml.toOuter(end);
}

/** Replaces a value (a whole block scalar included) with `""`, keeping the line break after it. */
export function blankValue(yaml: ParsedYaml, entry: YamlEntry): TextEdit {
  return { span: { start: entry.valueSpan.start, end: valueEnd(yaml, entry) }, newText: '""' };
}

/**
 * New content for a scalar holding PEM: a literal block scalar keeps its header
 * (`|`, `|-`, `|2`) and the indentation of its first line; a quoted scalar is
 * rewritten as a double-quoted string. Undefined for other styles.
 */
export function replacePemScalar(lines: LineIndex, yaml: ParsedYaml, entry: YamlEntry, pem: string): TextEdit | undefined {
  const node = entry.node;
  if (!node || !isScalar(node)) return undefined;
  const body = pem.replace(/\r\n/g, '\n').replace(/\n+$/, '').split('\n');
  if ((node as Scalar).type === Scalar.BLOCK_LITERAL) {
    const headerLine = lines.positionAt(entry.valueSpan.start).line;
    let first = headerLine + 1;
    while (first < lines.lineCount && lines.lineText(first).trim() === '') first++;
    if (first >= lines.lineCount) return undefined;
    const end = valueEnd(yaml, entry);
    const indent = lines.indentOf(first);
    if (lines.positionAt(end).line < first) return undefined;
    return { span: { start: lines.lineStart(first), end }, newText: body.map((line) => indent + line).join(lines.eol) };
  }
  if ((node as Scalar).type === Scalar.QUOTE_DOUBLE) {
    return { span: entry.valueSpan, newText: JSON.stringify(pem.replace(/\r\n/g, '\n')) };
  }
  return undefined;
}

export const TOKEN_SECRET_NAME = 'harbor-token-key';

/** Sets `core.secretName` (creating `core:` if needed); undefined when `core` is not a block mapping. */
export function setTokenSecretName(lines: LineIndex, values: YamlMapView): TextEdit | undefined {
  const line = `secretName: ${TOKEN_SECRET_NAME}`;
  const coreEntry = values.get('core');
  if (!coreEntry) {
    if (values.entries().length === 0) return undefined;
    return insertFirstInMap(lines, values, ['core:', `  ${line}`]);
  }
  const core = values.getMap('core');
  if (!core || !coreEntry.node || !isMap(coreEntry.node) || (coreEntry.node as { flow?: boolean }).flow) return undefined;
  const existing = core.get('secretName');
  if (existing) return replaceEntry(lines, existing, [line]);
  if (core.entries().length === 0) return undefined;
  return insertFirstInMap(lines, core, [line]);
}

export function useTokenSecretFix(lines: LineIndex, values: YamlMapView): ReportFix | undefined {
  const edit = setTokenSecretName(lines, values);
  if (!edit) return undefined;
  return {
    title: `Sign tokens with Secret "${TOKEN_SECRET_NAME}"`,
    note: `Sets core.secretName to "${TOKEN_SECRET_NAME}". Create the Secret first: a PKCS#1 RSA tls.key from \`openssl genrsa -traditional 4096\` and its tls.crt.`,
    safety: 'unsafe',
    edits: [edit],
  };
}

/**
 * The values the chart regenerates when they are empty, and which the incident-1 fix
 * blanks together with the token pair (research §0.2, HB-GITOPS-RANDOM). Each is
 * skipped when an existingSecret alternative is in use (the value is then ignored).
 * Never in this list: `secretKey` (encrypts stored data), database passwords,
 * `harborAdminPassword` (read once, then kept in the database).
 */
export const REGENERABLE_SECRETS: readonly { path: string; alternative: string }[] = [
  { path: 'core.secret', alternative: 'core.existingSecret' },
  { path: 'core.xsrfKey', alternative: 'core.existingXsrfSecret' },
  { path: 'jobservice.secret', alternative: 'jobservice.existingSecret' },
  { path: 'registry.secret', alternative: 'registry.existingSecret' },
  // Computed from registry.credentials.username/password with `htpasswd` when empty.
  { path: 'registry.credentials.htpasswdString', alternative: 'registry.credentials.existingSecret' },
];

/** Hard-coded regenerable secrets (literal, in use). */
export function hardcodedRegenerable(values: YamlMapView): YamlEntry[] {
  const out: YamlEntry[] = [];
  for (const { path, alternative } of REGENERABLE_SECRETS) {
    if (values.isSet(alternative)) continue;
    const found = values.literalString(path);
    if (found) out.push(found.entry);
  }
  return out;
}

/**
 * THE STALE-CREDENTIALS FIX (incident 1): blank the hard-coded token pair and the
 * regenerable internal secrets together so the chart generates a consistent set.
 * Touches nothing else; in particular never secretKey, database passwords or
 * harborAdminPassword.
 */
export function staleCredentialsFix(values: YamlMapView): ReportFix | undefined {
  const entries: YamlEntry[] = [];
  for (const path of ['core.tokenKey', 'core.tokenCert']) {
    const found = values.literalString(path);
    if (found) entries.push(found.entry);
  }
  if (entries.length === 0) return undefined;
  entries.push(...hardcodedRegenerable(values));
  const names = entries.map((e) => e.path.join('.'));
  return {
    title: `Blank the carried-over credentials (${names.length === 1 ? names[0] : `${names.length} values`})`,
    note: `Blanks ${names.join(', ')} so the chart generates a matching set; secretKey and passwords stay. The token key then changes on every render: with more than one core replica or GitOps, put a key pair in a Secret named by core.secretName instead.`,
    safety: 'unsafe',
    edits: entries.map((entry) => blankValue(values.yaml, entry)),
  };
}

/** Blanks only core.tokenKey/core.tokenCert (where literal). */
export function blankTokenPair(values: YamlMapView): TextEdit[] {
  const edits: TextEdit[] = [];
  for (const path of ['core.tokenKey', 'core.tokenCert']) {
    const found = values.literalString(path);
    if (found) edits.push(blankValue(values.yaml, found.entry));
  }
  return edits;
}

/** Where a values-wide finding goes: the `core` key when present, else the first key. */
export function valuesAnchor(values: YamlMapView) {
  const core = values.get('core');
  if (core) return core.keySpan;
  const first = values.entries()[0];
  return first ? first.keySpan : values.span;
}
