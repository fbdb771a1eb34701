/**
 * JSON Schema (draft 2020-12) of one version's chart values or harbor.yml,
 * from the key model: for vscode-yaml, IntelliJ, or a wrapper chart's
 * values.schema.json. Types are lenient where Helm and prepare are (a quoted
 * number is fine); unknown keys are refused except inside free-form maps.
 */
import { chartEnum, describeKey, installerEnum } from './keyDocs';
import type { KeyEntry, KeySet } from './keyModel';
import { chartKeys, installerEnums, installerKeys } from '../versions';

type Schema = Record<string, unknown>;

function leaf(entry: KeyEntry): Schema {
  switch (entry.type) {
    case 'boolean':
      return { type: ['boolean', 'null'] };
    case 'number':
      return { type: ['number', 'string', 'null'] };
    case 'string':
      return { type: ['string', 'number', 'boolean', 'null'] };
    case 'list':
      return { type: ['array', 'null'] };
    case 'map':
      return { type: ['object', 'null'] };
    default:
      return {};
  }
}

function build(kind: 'chart' | 'installer', keys: KeySet, path: string, enums: (path: string) => string[] | undefined): Schema {
  const properties: Record<string, Schema> = {};
  for (const name of keys.children(path)) {
    const full = path ? `${path}.${name}` : name;
    const entry = keys.entry(full)!;
    const children = keys.children(full);
    const schema: Schema = entry.type === 'map' && !entry.open && children.length > 0 ? build(kind, keys, full, enums) : leaf(entry);
    const description = describeKey(kind, full);
    if (description) schema.description = description;
    if (entry.default !== undefined) schema.default = entry.default;
    const values = enums(full);
    if (values) schema.enum = [...values, null];
    properties[name] = schema;
  }
  return { type: ['object', 'null'], properties, additionalProperties: false };
}

export function valuesSchema(version: string): Schema {
  const resolved = chartKeys().versions.includes(version) ? version : chartKeys().newest;
  const root = build('chart', chartKeys().keys(resolved), '', (path) => chartEnum(path, resolved));
  // Helm's own key, in every chart.
  (root.properties as Record<string, Schema>).global = { type: ['object', 'null'] };
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `https://harbor-audit.dev/schema/goharbor-values-${resolved}.json`,
    title: `goharbor/harbor-helm ${resolved} values`,
    ...root,
  };
}

export function harborYmlSchema(version: string): Schema {
  const resolved = installerKeys().versions.includes(version) ? version : installerKeys().newest;
  const enums = installerEnums(resolved);
  const root = build('installer', installerKeys().keys(resolved), '', (path) => installerEnum(path, enums));
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `https://harbor-audit.dev/schema/harbor-yml-${resolved}.json`,
    title: `Harbor ${resolved} harbor.yml`,
    ...root,
    required: ['hostname'],
  };
}
