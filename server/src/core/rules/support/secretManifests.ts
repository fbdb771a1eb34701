/**
 * Secret manifests that sit in the same file as chart values (a Flux
 * HelmRelease with its Secret, a wrapper chart's values next to a Secret,
 * SealedSecret and ExternalSecret companions), and the `existingSecret*`
 * values of the goharbor chart that name them, with the key names the chart
 * reads (research/harbor-rules.md HB-EXISTING-SECRET-KEYS).
 */
import { isMap, isSeq } from 'yaml';
import type { YAMLMap } from 'yaml';
import type { Span } from '../../types';
import type { ParsedYaml, YamlEntry } from '../../yaml/yamlModel';
import { rootMaps, YamlMapView } from '../../yaml/yamlModel';

export interface SecretKey {
  key: string;
  entry: YamlEntry;
  /** The value as the pod will see it, when it is written in the file (stringData, or data that decodes); never shown to the user. */
  plain?: string;
}

export interface SecretManifest {
  kind: 'Secret' | 'SealedSecret' | 'ExternalSecret';
  name: string;
  nameSpan: Span;
  /** The keys the Secret will have; undefined when the manifest does not say (ExternalSecret `dataFrom` or a template). */
  keys: SecretKey[] | undefined;
}

/** Every Secret-producing manifest in the file, by the name of the Secret it produces. */
export function secretManifests(yaml: ParsedYaml | undefined): SecretManifest[] {
  if (!yaml) return [];
  const found: SecretManifest[] = [];
  for (const root of rootMaps(yaml)) {
    const kind = root.literalString('kind')?.value;
    if (kind === 'Secret') {
      const name = root.literalString('metadata.name');
      if (!name) continue;
      const keys: SecretKey[] = [];
      for (const entry of root.getMap('data')?.entries() ?? []) keys.push({ key: entry.key, entry, plain: decodeData(entry) });
      for (const entry of root.getMap('stringData')?.entries() ?? []) {
        keys.push({ key: entry.key, entry, plain: !entry.generated && typeof entry.value === 'string' ? entry.value : undefined });
      }
      found.push({ kind, name: name.value, nameSpan: name.entry.valueSpan, keys });
    } else if (kind === 'SealedSecret') {
      const name = root.literalString('spec.template.metadata.name') ?? root.literalString('metadata.name');
      if (!name) continue;
      const keys = [...(root.getMap('spec.encryptedData')?.entries() ?? []), ...(root.getMap('spec.template.data')?.entries() ?? [])].map((entry) => ({ key: entry.key, entry }));
      found.push({ kind, name: name.value, nameSpan: name.entry.valueSpan, keys });
    } else if (kind === 'ExternalSecret') {
      const name = root.literalString('spec.target.name') ?? root.literalString('metadata.name');
      if (!name) continue;
      let keys: SecretKey[] | undefined = [];
      if (root.get('spec.dataFrom') || root.get('spec.target.template')) keys = undefined;
      const list = root.get('spec.data')?.node;
      if (keys && list && isSeq(list)) {
        for (const item of list.items) {
          if (!isMap(item)) continue;
          const entry = new YamlMapView(root.yaml, root.document, item as YAMLMap, ['spec', 'data']).get('secretKey');
          if (entry && typeof entry.value === 'string' && !entry.generated) keys.push({ key: entry.value, entry });
          else keys = undefined;
          if (!keys) break;
        }
      }
      found.push({ kind, name: name.value, nameSpan: name.entry.valueSpan, keys });
    }
  }
  return found;
}

function decodeData(entry: YamlEntry): string | undefined {
  if (entry.generated || typeof entry.value !== 'string') return undefined;
  const compact = entry.value.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 !== 0) return undefined;
  return Buffer.from(compact, 'base64').toString('utf8');
}

export interface SecretReference {
  /** Values path that names the Secret. */
  path: string;
  /** Key names the chart reads from it, resolved against the values (`*Key` overrides). */
  keys: string[];
  /** The values path that overrides the key name, when there is one. */
  keyPath?: string;
  /** What the chart uses the Secret for, for hovers and messages. */
  what: string;
  /** Whether the chart reads this Secret with the values as they are (e.g. only with `database.type: external`). */
  active: boolean;
}

/** The chart's `existingSecret*` references (harbor-helm HEAD; research/harbor-rules.md §32), with key names resolved for these values. */
export function chartSecretReferences(values: YamlMapView): SecretReference[] {
  const keyFrom = (path: string, fallback: string): string | undefined => {
    const entry = values.get(path);
    if (!entry || entry.value === null || entry.value === undefined || String(entry.value).trim() === '') return fallback;
    return entry.generated ? undefined : String(entry.value);
  };
  const typeIs = (path: string, wanted: string, fallback: string) => (values.literalString(path)?.value ?? fallback) === wanted;
  const refs: (Omit<SecretReference, 'keys'> & { keys: (string | undefined)[] })[] = [
    { path: 'existingSecretSecretKey', keys: ['secretKey'], what: 'the data-encryption key `secretKey`', active: true },
    { path: 'existingSecretAdminPassword', keys: [keyFrom('existingSecretAdminPasswordKey', 'HARBOR_ADMIN_PASSWORD')], keyPath: 'existingSecretAdminPasswordKey', what: 'the initial admin password', active: true },
    { path: 'core.existingSecret', keys: ['secret'], what: "core's internal shared secret", active: true },
    { path: 'core.secretName', keys: ['tls.key'], what: 'the token-signing key (`tls.key`; `tls.crt` may sit beside it)', active: true },
    { path: 'core.existingXsrfSecret', keys: [keyFrom('core.existingXsrfSecretKey', 'CSRF_KEY')], keyPath: 'core.existingXsrfSecretKey', what: 'the 32-character CSRF key', active: true },
    { path: 'jobservice.existingSecret', keys: [keyFrom('jobservice.existingSecretKey', 'JOBSERVICE_SECRET')], keyPath: 'jobservice.existingSecretKey', what: "jobservice's internal shared secret", active: true },
    { path: 'registry.existingSecret', keys: [keyFrom('registry.existingSecretKey', 'REGISTRY_HTTP_SECRET')], keyPath: 'registry.existingSecretKey', what: "the registry's HTTP secret", active: true },
    { path: 'registry.credentials.existingSecret', keys: ['REGISTRY_PASSWD', 'REGISTRY_HTPASSWD'], what: 'the registry basic-auth password and its htpasswd line', active: true },
    { path: 'database.external.existingSecret', keys: ['password'], what: 'the external PostgreSQL password', active: typeIs('database.type', 'external', 'internal') },
    { path: 'redis.external.existingSecret', keys: ['REDIS_PASSWORD'], what: 'the external Redis password (plus `REDIS_USERNAME` with Redis ACLs)', active: typeIs('redis.type', 'external', 'internal') },
  ];
  return refs.filter((ref) => ref.keys.every((key) => key !== undefined)).map((ref) => ({ ...ref, keys: ref.keys as string[] }));
}

/** Storage Secrets: listed in hovers only, because the registry reads them as optional environment (IAM roles need no keys). */
export const STORAGE_SECRET_KEYS: Record<string, string> = {
  azure: '`AZURE_STORAGE_ACCESS_KEY`',
  gcs: '`GCS_KEY_DATA`',
  s3: '`REGISTRY_STORAGE_S3_ACCESSKEY` and `REGISTRY_STORAGE_S3_SECRETKEY`',
  swift: '`REGISTRY_STORAGE_SWIFT_PASSWORD`, `REGISTRY_STORAGE_SWIFT_SECRETKEY`, `REGISTRY_STORAGE_SWIFT_ACCESSKEY`',
  oss: '`REGISTRY_STORAGE_OSS_ACCESSKEYSECRET`',
};

/** The Secret a reference names, when its manifest is in this file (the last one wins, as with `kubectl apply`). */
export function findManifest(manifests: readonly SecretManifest[], name: string): SecretManifest | undefined {
  return manifests.filter((manifest) => manifest.name === name).pop();
}

/** A value of the chart set to a literal string (not templated, not empty). */
export function literalValue(values: YamlMapView, path: string): { entry: YamlEntry; value: string } | undefined {
  const entry = values.get(path);
  if (!entry || entry.generated || typeof entry.value !== 'string' || entry.value === '') return undefined;
  return { entry, value: entry.value };
}
