import { isScalar, isSeq, Scalar } from 'yaml';
import type { KeySet } from '../keys/keyModel';
import { chartKeys, describeVersion, installerKeys, type DetectedVersion } from '../versions';
import type { YamlEntry, YamlMapView } from '../yaml/yamlModel';
import { clip } from './support/message';
import { defineRule, type RuleContext } from './rule';

/** harbor.yml keys that end up in nginx `listen` and docker-compose port mappings. */
const INSTALLER_PORTS = /(^|\.)port$/;

export const valueType = defineRule({
  meta: {
    id: 'value-type',
    catalogId: 'HB-VALUE-TYPE',
    title: 'A value of the wrong type where it changes what Helm or prepare does',
    appliesTo: ['helm-values', 'harbor-yml'],
    defaultSeverity: 'warning',
    fixSafety: 'safe',
    docs: {
      whatItDoes:
        "Reports values whose type changes behaviour, for the chart or installer version the file is for: the string `\"false\"` on a key the chart or prepare treats as a boolean, a list or a scalar where the chart reads a map of keys, and a harbor.yml port that is not a number. Templated values are unknown and never reported; free-form maps are not looked into.",
      why:
        'Helm templates test booleans by truthiness (`{{ if .Values.expose.tls.enabled }}`), and so does prepare (`if internal_tls.get("enabled")`): any non-empty string is true, so `enabled: "false"` turns the feature on. A list where the chart reads keys (`expose.ingress.hosts.core`) makes the render fail ("can\'t evaluate field core in type []interface {}"), and a port that is not a number breaks nginx\'s `listen` and the docker-compose port mapping prepare writes.',
      example: { language: 'yaml', code: 'externalURL: https://harbor.example.com\nexpose:\n  tls:\n    enabled: "false"' },
      fix: 'Write booleans without quotes (`false`), maps as `key: value` lines, and ports as numbers. The quick fix writes `false` for a quoted `"false"`, `"no"` or `"off"` (safe: it is what the quoted value was meant to say).',
      versions: 'The expected type is the one in that version\'s values.yaml or harbor.yml (goharbor/harbor-helm 1.0-1.19, Harbor 1.8-2.15).',
      evidence: ['Go text/template `if`: "The empty values are false, 0, any nil pointer or interface value, and any array, slice, map, or string of length zero"', 'goharbor/harbor make/photon/prepare/utils/configs.py (truthiness of every flag)'],
    },
  },
  check(context) {
    for (const target of context.helmValues) {
      if (target.version) walk(context, target.values, chartKeys().keys(target.version.model), target.version, []);
    }
    if (context.installer && context.installerVersion) walk(context, context.installer, installerKeys().keys(context.installerVersion.model), context.installerVersion, []);
  },
});

function walk(context: RuleContext, map: YamlMapView, keys: KeySet, version: DetectedVersion, path: string[]): void {
  for (const entry of map.entries()) {
    if (entry.generated || entry.key.includes('.')) continue;
    const full = [...path, entry.key];
    const dotted = full.join('.');
    const known = keys.entry(dotted);
    if (!known || known.open) continue;
    const tool = version.kind === 'chart' ? 'the chart' : './prepare';
    // Only where a template tests the key with if/with: passed on with `| quote`, "false" stays false.
    if (known.type === 'boolean' && known.truthy) checkBoolean(context, entry, dotted, tool);
    else if (known.type === 'map' && keys.children(dotted).length > 0) {
      const child = map.getMap([entry.key]);
      if (child) {
        walk(context, child, keys, version, full);
        continue;
      }
      const node = entry.node;
      const shape = node && isSeq(node) ? 'a list' : node && isScalar(node) && node.value !== null && node.value !== '' ? 'a single value' : undefined;
      if (!shape) continue;
      const sample = keys.children(dotted).slice(0, 3).join(', ');
      context.report({
        span: entry.valueSpan,
        message: `\`${clip(dotted, 60)}\` is ${shape}, but ${tool} reads keys under it: they fall back to defaults or the render fails`,
        detail: `${describeVersion(version)}. \`${dotted}\` is a map of settings in this version (${sample}…); as ${shape} it sets none of them, so each falls back to its default, or the templates fail to render where they read a key of it. Write them as \`key: value\` lines indented under \`${entry.key}:\`.`,
      });
    } else if (version.kind === 'installer' && known.type === 'number' && INSTALLER_PORTS.test(dotted)) {
      checkPort(context, entry, dotted);
    }
  }
}

function checkBoolean(context: RuleContext, entry: YamlEntry, dotted: string, tool: string): void {
  const node = entry.node;
  if (!node || !isScalar(node) || typeof node.value !== 'string') return;
  // Only quoted: Helm (go-yaml) and prepare (PyYAML) read YAML 1.1, where plain no/off are false already.
  const quoted = node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE;
  const text = node.value.trim().toLowerCase();
  if (!quoted || (text !== 'false' && text !== 'no' && text !== 'off')) return;
  context.report({
    span: entry.valueSpan,
    message: `\`${dotted}\` is the string ${JSON.stringify(node.value)}, which ${tool} tests as true: the setting is on, not off.`,
    detail: `${tool === 'the chart' ? 'Helm templates' : 'prepare'} test this key by truthiness, and any non-empty string is true; the quotes make it a string. Write \`false\` without quotes.`,
    fixes: [{ title: 'Write false without quotes', safety: 'safe', edits: [{ span: entry.valueSpan, newText: 'false' }] }],
  });
}

function checkPort(context: RuleContext, entry: YamlEntry, dotted: string): void {
  const node = entry.node;
  if (!node || !isScalar(node) || typeof node.value !== 'string') return;
  const value = node.value.trim();
  if (value === '' || /^\d+$/.test(value)) return;
  context.report({
    span: entry.valueSpan,
    message: `\`${dotted}\` is ${JSON.stringify(value)}, not a port number: prepare writes it into nginx's listen and the docker-compose ports, which then fail.`,
    detail: 'prepare copies the port into the generated nginx.conf (`listen <port>`) and docker-compose.yml (`<port>:8080`) without checking it. Write the port as a number, e.g. `443`.',
  });
}
