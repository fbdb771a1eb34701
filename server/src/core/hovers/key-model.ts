/**
 * Hover on any chart values, harbor.yml or harbor.cfg key: our description, its type and
 * default in the version the file is for, the versions that read it, and
 * which version was assumed and why.
 */
import { describeKey } from '../keys/keyDocs';
import type { Span } from '../types';
import { cfgVersionFor, chartKeys, describeVersion, describeVersionSpan, installerKeys, type DetectedVersion } from '../versions';
import type { YamlEntry, YamlMapView } from '../yaml/yamlModel';
import { contains, type HoverProvider, type HoverResult } from './hover';

function entryAt(map: YamlMapView, offset: number, depth = 0): YamlEntry | undefined {
  if (depth > 32 || !contains(map.span, offset)) return undefined;
  for (const entry of map.entries()) {
    if (contains(entry.keySpan, offset)) return entry;
    const child = map.getMap([entry.key]);
    if (child && contains(entry.valueSpan, offset)) return entryAt(child, offset, depth + 1);
  }
  return undefined;
}

/** A key as written: a YAML entry, or a harbor.cfg line (whose path is its one key). */
interface WrittenKey {
  key: string;
  path: readonly string[];
  keySpan: Span;
}

function describe(kind: DetectedVersion['kind'], entry: WrittenKey, basePath: readonly string[], version: DetectedVersion): HoverResult {
  const model = kind === 'chart' ? chartKeys() : installerKeys();
  const keys = model.keys(version.model);
  const path = entry.path.slice(basePath.length);
  const dotted = path.join('.');
  const known = keys.entry(dotted);
  const open = keys.openAncestor(path);
  const lines: string[] = [];
  if (open) {
    lines.push(`**\`${entry.key}\`** inside \`${open}\`: your own key; harbor-audit does not check the contents of \`${open.split('.').pop()}\`.`);
  } else if (known) {
    const description = describeKey(kind, dotted);
    lines.push(`**\`${dotted}\`**${description ? `: ${description}` : ''}`, '');
    const facts = [`type ${known.type === 'any' ? 'not listed (read by a template)' : known.type}`];
    if (known.default !== undefined) facts.push(`default \`${JSON.stringify(known.default)}\``);
    if (known.open) facts.push('contents not checked');
    if (known.commented) facts.push('optional (commented out in the template)');
    lines.push(facts.join(' · '));
    const span = model.versionsWith(dotted);
    if (span.length < model.versions.length) lines.push('', `Read by ${describeVersionSpan(kind, span)}.`);
  } else {
    const span = model.versionsWith(dotted);
    const tool = kind === 'chart' ? 'Helm' : './prepare';
    lines.push(`**\`${dotted}\`**: no ${kind === 'chart' ? 'template' : 'part of prepare'} of this version reads it, so ${tool} ignores it.`);
    if (span.length > 0) lines.push('', `Read by ${describeVersionSpan(kind, span)}.`);
  }
  lines.push('', `Version: ${describeVersion(version)}.`);
  return { span: entry.keySpan, markdown: lines.join('\n') };
}

export const keyModelHover: HoverProvider = {
  id: 'key-model',
  appliesTo: ['helm-values', 'harbor-yml', 'harbor-cfg'],
  hover(context) {
    for (const target of context.helmValues) {
      if (!target.version) continue;
      const entry = entryAt(target.values, context.offset);
      if (entry) return describe('chart', entry, target.values.path, target.version);
    }
    if (context.installer && context.installerVersion) {
      const entry = entryAt(context.installer, context.offset);
      if (entry) return describe('installer', entry, [], context.installerVersion);
    }
    if (context.legacyCfg && context.installerVersion) {
      for (const entry of context.legacyCfg.entries.values()) {
        if (contains(entry.keySpan, context.offset)) return describe('installer', { key: entry.key, path: [entry.key], keySpan: entry.keySpan }, [], cfgVersionFor(context.installerVersion));
      }
    }
    return undefined;
  },
};
