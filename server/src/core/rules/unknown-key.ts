import type { CfgEntry } from '../legacyCfg';
import type { KeySet } from '../keys/keyModel';
import { suggestKey, type Suggestion } from '../keys/suggest';
import type { Fix, Span } from '../types';
import { cfgVersionFor, chartKeys, describeVersion, describeVersionSpan, installerFormat, installerKeys, type DetectedVersion } from '../versions';
import type { YamlEntry, YamlMapView } from '../yaml/yamlModel';
import { isMap } from 'yaml';
import { defineRule, type RuleContext } from './rule';

/** Keys Helm itself gives meaning to in any chart's values. */
const HELM_KEYS = new Set(['global']);

/** The metadata map SOPS writes: `version` with `mac`, `lastmodified` or a key-group list (`age`, `kms`, `pgp`). */
function isSopsMetadata(entry: { pair: { value: unknown } }): boolean {
  const value = entry.pair.value;
  if (!isMap(value)) return false;
  const keys = new Set(value.items.map((item) => String((item.key as { value?: unknown } | null)?.value ?? '')));
  return keys.has('version') && ['mac', 'lastmodified', 'age', 'kms', 'pgp', 'gcp_kms', 'azure_kv', 'hc_vault'].some((key) => keys.has(key));
}

interface Tool {
  /** What drops the key: `Helm`, `./prepare`. */
  name: string;
  /** `chart 1.19`, `Harbor 2.15`. */
  versionName: string;
  kind: DetectedVersion['kind'];
}

export const unknownKey = defineRule({
  meta: {
    id: 'unknown-key',
    catalogId: 'HB-UNKNOWN-KEY',
    title: 'A key that no template of this chart or installer version reads',
    appliesTo: ['helm-values', 'harbor-yml', 'harbor-cfg'],
    defaultSeverity: 'warning',
    fixSafety: 'safe',
    docs: {
      whatItDoes:
        "Reports a key in goharbor chart values, harbor.yml or harbor.cfg that neither the version's `values.yaml` / `harbor.yml` lists nor any of its templates (`.Values.…`) or `prepare` (`utils/configs.py`) reads. It names the nearest known key: the same letters in another case, a small typo among the siblings, or the same name at another place (a key that moved between versions), and a key that only other versions read says which. The version comes from the file (Flux `version`, Argo CD `targetRevision`, `_version`), a comment, the wrapper chart's Chart.lock or Chart.yaml, or `chartVersion` / `harborVersion` in `.harbor-audit.yaml`; without one, the newest version's keys apply and keys of older versions are not reported. The contents of free-form maps (annotations, labels, nodeSelector, resources, tolerations, affinity, extraEnvVars, storage driver options) are not checked, nor are a wrapper chart's own keys next to `harbor:` or SOPS's `sops:` metadata map in an encrypted values file.",
      why:
        'Helm merges the values file into the chart\'s defaults and the templates read only the keys they know; a misspelt or outdated key is dropped without a word (`expose.tls.certsource` for `certSource`, `core.replica` for `replicas`, `persistence.imageChartStorage.s3.regionEndpoint` for `regionendpoint`). The installer\'s `./prepare` does the same with harbor.yml. The setting silently keeps its default, and the symptom (a self-signed certificate, one replica, the wrong S3 endpoint) shows up far from its cause.',
      example: { language: 'yaml', code: 'externalURL: https://harbor.example.com\nexpose:\n  tls:\n    certsource: secret\n    secret:\n      secretName: harbor-tls' },
      fix:
        'Rename the key to the one the chart reads. The quick fix renames it when exactly one known sibling matches (safe: the value the user wrote is kept); it offers nothing when the key belongs at another place or several keys are equally close.',
      versions: 'Keys of goharbor/harbor-helm 1.0 to 1.19 and of the installer from Harbor 1.1 (harbor.cfg) and 1.8 (harbor.yml) to 2.15, generated from those releases (`npm run keys:generate`).',
      evidence: [
        'goharbor/harbor-helm values.yaml and templates/ of every release (the `.Values.*` they read); the chart ships no values.schema.json',
        'goharbor/harbor make/harbor.yml(.tmpl), make/photon/prepare/utils/configs.py of every release',
      ],
    },
  },
  check(context) {
    for (const target of context.helmValues) {
      if (!target.version) continue;
      const tool: Tool = { name: 'Helm', versionName: `chart ${minor(target.version.model)}`, kind: 'chart' };
      walk(context, target.values, chartKeys().keys(target.version.model), target.version, tool, []);
    }
    const version = context.installerVersion;
    if (!version) return;
    if (context.installer) {
      const tool: Tool = { name: './prepare', versionName: `Harbor ${minor(version.model)}`, kind: 'installer' };
      walk(context, context.installer, installerKeys().keys(version.model), version, tool, []);
    } else if (context.legacyCfg) {
      checkCfg(context, version);
    }
  },
});

function minor(version: string): string {
  return version.split('.').slice(0, 2).join('.');
}

function templated(context: RuleContext, span: Span, key: string): boolean {
  const written = context.text.slice(span.start, span.end);
  return /[{}$%]|ENC\[/.test(written) || /[{}$]/.test(key);
}

function walk(context: RuleContext, map: YamlMapView, keys: KeySet, version: DetectedVersion, tool: Tool, path: string[]): void {
  const written = map.keys();
  for (const entry of map.entries()) {
    if (entry.key === '<<' || templated(context, entry.keySpan, entry.key)) continue;
    // A key that only holds a YAML anchor for reuse (`x-common: &resources`) is the file's own device.
    if ((entry.pair.value as { anchor?: string } | null)?.anchor) continue;
    if (path.length === 0 && tool.kind === 'chart' && HELM_KEYS.has(entry.key)) continue;
    // SOPS keeps its metadata in a top-level `sops:` map of the encrypted file; decrypting (helm-secrets, Flux, ksops) removes it.
    if (path.length === 0 && entry.key === 'sops' && isSopsMetadata(entry)) continue;
    const full = [...path, entry.key];
    const dotted = full.join('.');
    if (entry.key.includes('.')) {
      // Helm and prepare never split a key at its dots.
      if (keys.known(dotted)) reportFlat(context, entry, dotted, tool);
      else reportUnknown(context, entry, full, keys, version, tool, written);
      continue;
    }
    const known = keys.entry(dotted);
    if (!known) {
      reportUnknown(context, entry, full, keys, version, tool, written);
      continue;
    }
    if (known.open || known.type !== 'map' || keys.children(dotted).length === 0) continue;
    const child = map.getMap([entry.key]);
    if (child) walk(context, child, keys, version, tool, full);
  }
}

function reportFlat(context: RuleContext, entry: YamlEntry, dotted: string, tool: Tool): void {
  const parts = dotted.split('.');
  const nested = parts.reduceRight((inner, part) => `{ ${part}: ${inner} }`, '…').slice(2, -2);
  context.report({
    span: entry.keySpan,
    message: `\`${dotted}\` is one key with dots in its name, not a path, so ${tool.name} ignores it: nest it as \`${nested}\`.`,
    detail: `YAML keys are not split at dots: \`${dotted}: …\` sets a single key of that name, which no template reads. Write the path as nested maps (\`${parts[0]}:\` then \`${parts.slice(1).join(':` / `')}:\`, each indented under the one before). On the \`helm\` command line, \`--set ${dotted}=…\` does split at dots; a values file does not.`,
  });
}

function reportUnknown(context: RuleContext, entry: YamlEntry | CfgEntry, path: string[], keys: KeySet, version: DetectedVersion, tool: Tool, written: readonly string[]): void {
  const dotted = path.join('.');
  const model = tool.kind === 'chart' ? chartKeys() : installerKeys();
  const elsewhere = model.versionsWith(dotted).filter((v) => tool.kind === 'chart' || installerFormat(v) === installerFormat(version.model));
  // Without a version, a key of another version may well be right: say nothing (the hover tells).
  if (elsewhere.length > 0 && !version.known) return;
  const suggestion = suggestKey(keys, path);
  // A chart-wide key copied under a component, in a version from before the chart had it (core.containerSecurityContext on 1.14).
  const topLevelLater = !suggestion && tool.kind === 'chart' && path.length > 1 ? model.versionsWith(path[path.length - 1]) : [];
  const where = tool.kind === 'chart' ? 'a chart' : 'an installer';
  let message: string;
  if (elsewhere.length > 0) {
    const advice = suggestion ? `: use \`${suggestion.sibling ?? suggestion.path}\`` : '';
    message = `\`${dotted}\` is only read by ${describeVersionSpan(tool.kind, elsewhere)}; ${tool.versionName} ignores it${advice}.`;
  } else if (topLevelLater.length > 0) {
    message = `\`${dotted}\` is not ${where} key of any version, so ${tool.name} ignores it; ${describeVersionSpan(tool.kind, topLevelLater)} reads a top-level \`${path[path.length - 1]}\`.`;
  } else {
    const advice = suggestion ? `: did you mean ${suggestion.topLevel ? 'top-level ' : ''}\`${suggestion.sibling ?? suggestion.path}\`?` : '.';
    message = `\`${dotted}\` is not ${where} key of any version, so ${tool.name} ignores it${advice}`;
  }
  const fixes: Fix[] = [];
  // Renaming onto a key that is already set would give the map a duplicate key.
  if (suggestion?.sibling && suggestion.unambiguous && !written.includes(suggestion.sibling)) {
    fixes.push({ title: `Rename to ${suggestion.sibling}`, safety: 'safe', edits: [{ span: entry.keySpan, newText: suggestion.sibling }] });
  }
  context.report({ span: entry.keySpan, message, detail: detail(dotted, version, tool, suggestion, elsewhere, topLevelLater), fixes });
}

function detail(dotted: string, version: DetectedVersion, tool: Tool, suggestion: Suggestion | undefined, elsewhere: string[], topLevelLater: string[]): string {
  const lines = [
    tool.kind === 'chart'
      ? `Helm merges these values into the chart's defaults, and only keys that a template reads (\`.Values.${dotted}\`) have an effect. No template of ${tool.versionName} reads \`${dotted}\`, so the value is dropped without an error and the setting keeps its default.`
      : `\`./prepare\` reads the keys it knows from harbor.yml and drops the rest without an error; ${tool.versionName}'s prepare does not read \`${dotted}\`, so the setting keeps its default.`,
    '',
    `Version: ${describeVersion(version)}.${version.known ? '' : ' Name it with `chartVersion` / `harborVersion` in `.harbor-audit.yaml`, a `# chart version: 1.x.y` comment, or the wrapper chart\'s Chart.yaml dependency.'}`,
  ];
  if (elsewhere.length > 0) lines.push('', `\`${dotted}\` is read by ${describeVersionSpan(tool.kind, elsewhere)}.`);
  if (topLevelLater.length > 0) {
    const name = dotted.split('.').pop()!;
    const later = describeVersionSpan(tool.kind, topLevelLater);
    lines.push('', `${later[0].toUpperCase()}${later.slice(1)} reads \`${name}\` at the top level and applies it to every component; ${tool.versionName} has no such setting. Upgrade the chart and move the value to the top level, or leave it out.`);
  }
  if (suggestion) {
    lines.push(
      '',
      suggestion.sibling
        ? `The nearest key here is \`${suggestion.path}\`${suggestion.unambiguous ? '' : ' (one of several equally close)'}.`
        : suggestion.topLevel
          ? `\`${suggestion.path}\` is a top-level key: the chart applies it to every component, and reads no per-component copy. Move the value to the top level.`
          : `A key with this name exists at \`${suggestion.path}\`; move the value there.`,
    );
  }
  return lines.join('\n');
}

function checkCfg(context: RuleContext, version: DetectedVersion): void {
  const cfgVersion = cfgVersionFor(version);
  const keys = installerKeys().keys(cfgVersion.model);
  const tool: Tool = { name: './prepare', versionName: `Harbor ${minor(cfgVersion.model)}`, kind: 'installer' };
  const written = [...context.legacyCfg!.entries.keys()];
  for (const entry of context.legacyCfg!.entries.values()) {
    if (keys.known(entry.key) || templated(context, entry.keySpan, entry.key)) continue;
    reportUnknown(context, entry, [entry.key], keys, cfgVersion, tool, written);
  }
}

