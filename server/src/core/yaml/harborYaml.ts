/**
 * Finds Harbor configuration inside YAML: the goharbor chart's values wherever
 * they live (plain, a wrapper chart's `harbor:` key, a Flux HelmRelease, an Argo
 * CD Application's `valuesObject`) and the installer's `harbor.yml`.
 */
import { isMap, isScalar } from 'yaml';
import { wholeTextScan, type LineIndex } from '../text';
import type { Span } from '../types';
import type { DetectedVersion } from '../versions';
import type { ParsedYaml } from './yamlModel';
import { parseEmbeddedYaml, rootMaps, YamlMapView } from './yamlModel';

/** 'carvel': the Tanzu/Carvel harbor package's data values, which reuse some goharbor key names (see CARVEL_SAME_SEMANTICS). */
/** 'configmap': values in a ConfigMap or Secret (`data."values.yaml": |`) that a HelmRelease's valuesFrom or an Argo source merges. */
export type ValuesLocation = 'plain' | 'wrapper' | 'flux' | 'argo' | 'carvel' | 'configmap';

export interface HelmValuesTarget {
  values: YamlMapView;
  /** The YAML the values were parsed from: the document itself, or a string embedded in it. */
  yaml: ParsedYaml;
  location: ValuesLocation;
  /**
   * The chart version or range: as the file names it (Argo `targetRevision`, Flux `version`), else as a
   * comment, the wrapper's Chart.yaml or the settings name it (filled in by the analysis, see versions.ts).
   */
  chartVersion?: string;
  /** The version whose keys and defaults apply (set by the analysis; the newest when none is named). */
  version?: DetectedVersion;
  /** The key that holds the values (`values:`, `valuesObject:`, a wrapper's `harbor:`); none for a plain values file. */
  holder?: Span;
}

// Keys that only the goharbor chart's values have; Bitnami's chart uses other names.
const GOHARBOR_KEYS = [
  'externalURL',
  'harborAdminPassword',
  'existingSecretAdminPassword',
  'secretKey',
  'existingSecretSecretKey',
  'internalTLS',
  'expose',
  'persistence.imageChartStorage',
  'core.tokenKey',
  'core.xsrfKey',
  'core.secretName',
  'registry.credentials',
  'registry.relativeurls',
  'jobservice.jobLoggers',
  'trivy',
  'database.internal',
  'database.external',
  'redis.internal',
  'redis.external',
  'portal',
];
const GOHARBOR_ANCHOR_KEYS = new Set(['externalURL', 'expose', 'harborAdminPassword', 'existingSecretAdminPassword', 'internalTLS', 'persistence.imageChartStorage', 'secretKey']);
const BITNAMI_KEYS = ['adminPassword', 'exposureType', 'coreImage', 'forcePassword', 'portalImage', 'registryImage'];

export function goharborScore(view: YamlMapView): { score: number; anchored: boolean } {
  let score = 0;
  let anchored = false;
  for (const key of GOHARBOR_KEYS) {
    if (view.get(key)) {
      score++;
      if (GOHARBOR_ANCHOR_KEYS.has(key)) anchored = true;
    }
  }
  return { score, anchored };
}

export function isBitnamiValues(view: YamlMapView): boolean {
  return BITNAMI_KEYS.some((key) => view.get(key) !== undefined);
}

export function isGoharborValues(view: YamlMapView): boolean {
  if (isBitnamiValues(view)) return false;
  const { score, anchored } = goharborScore(view);
  return anchored && score >= 2;
}

/**
 * The Tanzu/Carvel harbor package's data values (`#@data/values`, `hostname`,
 * `tlsCertificate`, `enableContourHttpProxy`): a ytt package, not the goharbor
 * chart. Only rules whose keys mean the same there run on it.
 */
export function isCarvelPackageValues(view: YamlMapView): boolean {
  const marked = /^#@data\/values\b/m.test(view.yaml.text);
  const shaped = view.get('hostname') !== undefined && (view.get('tlsCertificate') !== undefined || view.get('enableContourHttpProxy') !== undefined);
  return (marked || shaped) && view.get('externalURL') === undefined && view.get('expose') === undefined;
}

/**
 * Rules that also check the Carvel package's data values, because the package
 * documents the same meaning for these keys: the initial admin password
 * (`harborAdminPassword`), `secretKey` (16 characters), `core.xsrfKey` (32) and
 * the 16-character `core`/`jobservice`/`registry` secrets.
 */
export const CARVEL_SAME_SEMANTICS: ReadonlySet<string> = new Set(['default-admin-password', 'admin-password-policy', 'secret-key', 'csrf-key-length', 'internal-secret-length']);

export function locateHelmValues(yaml: ParsedYaml, lines: LineIndex = yaml.lines): HelmValuesTarget[] {
  const targets: HelmValuesTarget[] = [];
  for (const root of rootMaps(yaml)) {
    const kind = root.literalString('kind')?.value;
    if (kind === 'HelmRelease') {
      const values = root.getMap('spec.values');
      const chart = root.literalString('spec.chart.spec.chart')?.value;
      if (values && (chart === 'harbor' || isGoharborValues(values))) {
        targets.push({ values, yaml, location: 'flux', chartVersion: root.literalString('spec.chart.spec.version')?.value, holder: root.get('spec.values')?.keySpan });
      }
      continue;
    }
    if (kind === 'Application' || kind === 'ApplicationSet') {
      for (const source of argoSources(root)) {
        const chart = source.literalString('chart')?.value;
        const chartVersion = source.literalString('targetRevision')?.value;
        const object = source.getMap('helm.valuesObject');
        if (object && (chart === 'harbor' || isGoharborValues(object))) targets.push({ values: object, yaml, location: 'argo', chartVersion, holder: source.get('helm.valuesObject')?.keySpan });
        // `helm.values: |` holds the values as a YAML string.
        const text = source.get('helm.values')?.node;
        const embedded = text && isScalar(text) ? parseEmbeddedYaml(yaml, text, lines) : undefined;
        for (const values of embedded ? rootMaps(embedded) : []) {
          if (chart === 'harbor' || isGoharborValues(values)) targets.push({ values, yaml: embedded!, location: 'argo', chartVersion, holder: source.get('helm.values')?.keySpan });
        }
      }
      continue;
    }
    if (kind === 'ConfigMap' || kind === 'Secret') {
      targets.push(...embeddedValues(root, yaml, lines));
      continue;
    }
    if (isCarvelPackageValues(root)) {
      if (root.get('harborAdminPassword') !== undefined || root.get('secretKey') !== undefined) targets.push({ values: root, yaml, location: 'carvel' });
      continue;
    }
    if (isGoharborValues(root)) {
      targets.push({ values: root, yaml, location: 'plain' });
      continue;
    }
    // A wrapper chart's `harbor:` key, Ansible's `harbor_chart_values:`, and the like.
    const wrapped = [...root.keys().map((key) => root.getMap([key])), root.getMap('harbor.harbor')].find((map) => map && isGoharborValues(map));
    if (wrapped) targets.push({ values: wrapped, yaml, location: 'wrapper', holder: root.get(wrapped.path)?.keySpan });
  }
  return targets;
}

/**
 * Values files carried in a ConfigMap's `data` or a Secret's `stringData`
 * (`values.yaml: |`), as Flux `valuesFrom` and Argo CD read them. Base64
 * Secret `data` cannot be mapped back to lines and is left alone.
 */
function embeddedValues(root: YamlMapView, yaml: ParsedYaml, lines: LineIndex): HelmValuesTarget[] {
  const targets: HelmValuesTarget[] = [];
  const kind = root.literalString('kind')?.value;
  for (const field of kind === 'ConfigMap' ? ['data'] : ['stringData']) {
    const map = root.getMap(field);
    for (const entry of map?.entries() ?? []) {
      if (!/(^|[._-])values(\.[\w-]+)*\.ya?ml$|^values$/i.test(entry.key)) continue;
      const node = entry.node;
      const embedded = node && isScalar(node) ? parseEmbeddedYaml(yaml, node, lines) : undefined;
      for (const values of embedded ? rootMaps(embedded) : []) {
        if (isGoharborValues(values)) targets.push({ values, yaml: embedded!, location: 'configmap', holder: entry.keySpan });
      }
    }
  }
  return targets;
}

function argoSources(app: YamlMapView): YamlMapView[] {
  const sources: YamlMapView[] = [];
  const single = app.getMap('spec.source') ?? app.getMap('spec.template.spec.source');
  if (single) sources.push(single);
  const list = app.get('spec.sources')?.node;
  if (list && 'items' in list && Array.isArray(list.items)) {
    for (const item of list.items) {
      if (isMap(item)) sources.push(new YamlMapView(app.yaml, app.document, item, [...app.path, 'spec', 'sources']));
    }
  }
  return sources;
}

// The installer's template has all of these; a hand-trimmed harbor.yml keeps several.
const INSTALLER_KEYS = ['harbor_admin_password', 'data_volume', '_version', 'database.max_idle_conns', 'jobservice.max_job_workers', 'log.local', 'http.port', 'https.certificate', 'external_url', 'trivy', 'proxy.components'];

export function isInstallerConfig(view: YamlMapView): boolean {
  if (!view.get('hostname')) return false;
  return INSTALLER_KEYS.filter((key) => view.get(key) !== undefined).length >= 2;
}

/**
 * Whether the text can hold any Harbor YAML the functions above find: each of them needs one of these
 * words (an anchor key of the goharbor values, the installer's `hostname`, a chart named `harbor`, a TLS
 * Secret's type, a Bitnami key), so a YAML file without any is no Harbor config and need not be parsed:
 * a CI run over a repository full of manifests pays one scan per file.
 */
export function mayHoldHarborYaml(text: string): boolean {
  // A double-quoted key can spell a word with escapes ("e\x78pose"): such a text is parsed. (Only an explicit
  // `? "..."` key can also split a word over an escaped line break; nobody writes Harbor keys that way.)
  return HARBOR_YAML_WORDS.test(text) || text.includes('\\x') || text.includes('\\u') || text.includes('\\U');
}

const HARBOR_YAML_WORDS = wholeTextScan(
  new RegExp(
    [...[...GOHARBOR_ANCHOR_KEYS].map((key) => key.split('.').pop()!), 'hostname', 'harbor', 'kubernetes.io/tls', ...BITNAMI_KEYS]
      .map((word) => word.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))
      .join('|'),
  ),
);

export function locateInstallerConfig(yaml: ParsedYaml): YamlMapView | undefined {
  return rootMaps(yaml).find(isInstallerConfig);
}

/** The installer's `_version` (`2.11.0`), which switches version-specific rules. */
export function installerVersion(view: YamlMapView): string | undefined {
  const version = view.get('_version');
  return version?.value !== undefined && version.value !== null ? String(version.value) : undefined;
}

/** A Kubernetes `kubernetes.io/tls` Secret (its `tls.crt`/`tls.key` are checked as a pair). */
export function isKubernetesTlsSecret(view: YamlMapView): boolean {
  return view.literalString('kind')?.value === 'Secret' && view.literalString('type')?.value === 'kubernetes.io/tls';
}
