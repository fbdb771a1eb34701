/**
 * Completion of chart values and harbor.yml keys and values at the cursor,
 * for the version the file is for. The path at the cursor is read from the
 * lines above it (by indentation), because a document being typed rarely
 * parses; the document model only says where the values start.
 */
import { chartEnum, describeKey, installerEnum } from './keys/keyDocs';
import type { KeyEntry, KeySet } from './keys/keyModel';
import type { RuleContext } from './rules/rule';
import { chartKeys, describeVersion, installerEnums, installerKeys, type DetectedVersion } from './versions';

export interface CompletionEntry {
  label: string;
  kind: 'key' | 'section' | 'value';
  /** One line: type, default and version. */
  detail: string;
  /** Markdown: our description. */
  documentation?: string;
  insertText: string;
  /** Keeps the order of the model (values.yaml order) in the list. */
  sortText: string;
}

interface LinePath {
  /** Keys from the document's root to the map the cursor is in. */
  path: string[];
  /** When the cursor is after `key:` on its line: that key (a value is being typed). */
  valueKey?: string;
  /** What the user typed of the key so far. */
  prefix: string;
}

const KEY_LINE = /^(\s*)(?:-\s+)?("[^"]*"|'[^']*'|[^\s#'"][^:#]*?)\s*:(?:\s+(.*))?$/;

/** The path of the map the cursor is in, from indentation; list items count as part of their key. */
export function linePathAt(text: string, offset: number): LinePath {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const before = text.slice(lineStart, offset);
  const valueMatch = /^(\s*)([^\s#:][^:#]*?)\s*:\s+(\S*)$/.exec(before) ?? /^(\s*)([^\s#:][^:#]*?)\s*:$/.exec(before);
  const indent = (valueMatch ? valueMatch[1] : (/^\s*/.exec(before)?.[0] ?? '')).length;
  const path: string[] = [];
  let limit = indent;
  let cursor = lineStart - 1;
  while (cursor > 0 && limit > 0) {
    const start = text.lastIndexOf('\n', cursor - 1) + 1;
    const line = text.slice(start, cursor).replace(/\r$/, '');
    cursor = start - 1;
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const match = KEY_LINE.exec(line);
    const lineIndent = /^\s*/.exec(line)![0].length;
    if (lineIndent >= limit) continue;
    if (!match) {
      if (lineIndent < limit) limit = lineIndent;
      continue;
    }
    const value = (match[3] ?? '').replace(/\s+#.*$/, '').trim();
    // A key with a value on its line (or a block scalar) does not open a map.
    if (value !== '' && !/^[|>][-+0-9]*$/.test(value) && !/^&\S+$/.test(value)) {
      limit = lineIndent;
      continue;
    }
    path.unshift(match[2].replace(/^["']|["']$/g, ''));
    limit = lineIndent;
  }
  if (valueMatch && before.includes(':')) return { path, valueKey: valueMatch[2], prefix: valueMatch[3] ?? '' };
  return { path, prefix: before.trim() };
}

/** Where the goharbor values start, as a key path from the document root (for Argo's embedded string, up to its `values` key). */
function valuesBases(context: RuleContext): { base: string[]; version: DetectedVersion }[] {
  const bases: { base: string[]; version: DetectedVersion }[] = [];
  for (const target of context.helmValues) {
    if (!target.version) continue;
    bases.push({ base: target.yaml === context.yaml ? [...target.values.path] : ['…argo-embedded'], version: target.version });
  }
  return bases;
}

function stripBase(path: string[], bases: { base: string[]; version: DetectedVersion }[]): { rest: string[]; version: DetectedVersion } | undefined {
  let best: { rest: string[]; version: DetectedVersion; length: number } | undefined;
  for (const { base, version } of bases) {
    let length = -1;
    if (base[0] === '…argo-embedded') {
      const at = path.findIndex((part, i) => part === 'values' && path[i - 1] === 'helm');
      if (at >= 0) length = at + 1;
    } else if (base.every((part, i) => path[i] === part)) length = base.length;
    if (length >= 0 && (!best || length > best.length)) best = { rest: path.slice(length), version, length };
  }
  return best && { rest: best.rest, version: best.version };
}

function typeLine(entry: KeyEntry, version: DetectedVersion): string {
  const parts = [entry.type === 'any' ? 'read by a template' : entry.type];
  if (entry.default !== undefined && entry.default !== '') parts.push(`default ${JSON.stringify(entry.default)}`);
  parts.push(describeVersion(version).replace(/ \(from .*\)$/, ''));
  return parts.join(' · ');
}

export function completionsAt(context: RuleContext, offset: number): CompletionEntry[] {
  const at = linePathAt(context.text, offset);
  let keys: KeySet;
  let rest: string[];
  let version: DetectedVersion;
  let kind: 'chart' | 'installer';
  if (context.recognition.kind === 'helm-values') {
    const found = stripBase(at.path, valuesBases(context));
    if (!found) return [];
    ({ rest, version } = found);
    keys = chartKeys().keys(version.model);
    kind = 'chart';
  } else if (context.recognition.kind === 'harbor-yml' && context.installerVersion) {
    version = context.installerVersion;
    rest = at.path;
    keys = installerKeys().keys(version.model);
    kind = 'installer';
  } else return [];
  if (keys.openAncestor([...rest, '_']) !== undefined) return [];
  if (at.valueKey !== undefined) return valueCompletions(kind, [...rest, at.valueKey].join('.'), keys, version);
  const parent = rest.join('.');
  if (parent && (!keys.entry(parent) || keys.entry(parent)!.open)) return [];
  return keys.children(parent).map((name, index) => {
    const path = parent ? `${parent}.${name}` : name;
    const entry = keys.entry(path)!;
    const section = entry.type === 'map' && keys.children(path).length > 0;
    return {
      label: name,
      kind: section ? 'section' : 'key',
      detail: typeLine(entry, version),
      documentation: describeKey(kind, path),
      insertText: section ? `${name}:` : `${name}: `,
      sortText: String(index).padStart(4, '0'),
    };
  });
}

function valueCompletions(kind: 'chart' | 'installer', path: string, keys: KeySet, version: DetectedVersion): CompletionEntry[] {
  const entry = keys.entry(path);
  if (!entry) return [];
  let values = kind === 'chart' ? chartEnum(path, version.model) : installerEnum(path, installerEnums(version.model));
  if (!values && entry.type === 'boolean') values = ['true', 'false'];
  if (!values) return [];
  return values.map((value, index) => ({
    label: value === '' ? '""' : value,
    kind: 'value',
    detail: entry.default === value ? 'default' : describeVersion(version).replace(/ \(from .*\)$/, ''),
    insertText: value === '' ? '""' : value,
    sortText: String(index).padStart(4, '0'),
  }));
}
