/**
 * Decides what a document is by its content; the file name is only a hint.
 * `harbor.yml` can be an Ansible playbook and `harbor.conf` a shell env file,
 * while values often live in extension-less or `.j2` files.
 */
import { looksLikeLegacyCfg } from './legacyCfg';
import { isLogDocument } from './logs/document';
import type { NginxFile } from './nginx/ast';
import { classifyNginx } from './nginx/model';
import { parseNginxAfterEdit } from './nginx/blockEdit';
import { buildScriptModel, callsHarbor, mightCallHarbor, type ScriptModel } from './scripts/model';
import type { SharedEnds } from './text';
import type { Recognition } from './types';
import { isBitnamiValues, isGoharborValues, isKubernetesTlsSecret, locateHelmValues, locateInstallerConfig, mayHoldHarborYaml, type HelmValuesTarget } from './yaml/harborYaml';
import { parseYaml, rootMaps, type ParsedYaml } from './yaml/yamlModel';

export interface Recognized {
  recognition: Recognition;
  yaml?: ParsedYaml;
  helmValues?: HelmValuesTarget[];
  nginx?: NginxFile;
  script?: ScriptModel;
}

type Family = 'yaml' | 'nginx' | 'cfg' | 'script' | 'unknown';

function familyFromName(name: string): Family {
  const base = name.split(/[\\/]/).pop()!.toLowerCase().replace(/\.(j2|jinja2?|tpl|tmpl|template|in)$/, '');
  if (/\.ya?ml$/.test(base)) return 'yaml';
  if (base === 'harbor.cfg') return 'cfg';
  if (/\.(conf|nginx)$/.test(base) || base === 'nginx.conf') return 'nginx';
  if (/\.(sh|bash|zsh|ksh|mk|ps1|psm1|py|groovy)$/.test(base) || base === 'makefile' || base === 'gnumakefile' || base === 'jenkinsfile') return 'script';
  return 'unknown';
}

const NGINX_SIGNATURE = /^[ \t]*(?:(?:http|server|events|stream|upstream|location|map)\b[^:\n;]*\{|(?:proxy_pass|server_name|listen|client_max_body_size|proxy_set_header|ssl_certificate)[ \t]+[^:\n]*;)/m;

/** A chart vendored under a wrapper's `charts/` (helm dependency update): its values.yaml holds the chart's defaults, not the user's values. */
const VENDORED_CHART_VALUES = /(^|[\\/])charts[\\/]harbor(-\d[^\\/]*)?[\\/]values\.ya?ml$/;

export interface RecognizeHints {
  /** Harbor's `robot_name_prefix` (`.harbor-audit.yaml`), when it is not `robot$`: compose and .env files holding such names are Harbor clients. */
  robotNamePrefix?: string;
  /** The parse of an earlier version of this nginx document, and where the texts differ: an edit inside one block parses that block only (same result). */
  earlierNginx?: { file: NginxFile; ends: SharedEnds };
}

export function recognize(text: string, name: string, hints: RecognizeHints = {}): Recognized {
  if (VENDORED_CHART_VALUES.test(name)) {
    return { recognition: { kind: 'not-harbor', reason: "a vendored copy of the goharbor chart (charts/harbor/values.yaml holds the chart's defaults; your values are in the wrapper's values.yaml)" } };
  }
  // A log quotes configs, commands and keys: no config rule reads it (the editor explains it instead).
  if (isLogDocument(name, text)) {
    return { recognition: { kind: 'not-harbor', reason: 'a log, not a config (Harbor: Explain Log… and harbor-audit explain read it)', detail: 'log' } };
  }
  // A script's name or shebang says it is no YAML or nginx config: skip those readings (a long
  // script parsed as YAML is mostly error recovery).
  const hinted = /^#!/.test(text) ? 'script' : familyFromName(name);
  if (hinted === 'script') return recognizeClient(text, name, hints) ?? { recognition: { kind: 'not-harbor', reason: 'a script that does not call Harbor' } };
  if (hinted === 'cfg' || (hinted === 'unknown' && looksLikeLegacyCfg(text))) {
    if (looksLikeLegacyCfg(text)) return { recognition: { kind: 'harbor-cfg', reason: 'harbor.cfg keys (Harbor 1.x installer)' } };
  }
  // A YAML name means YAML; without a telling name, YAML is tried first as it is the stricter reading.
  if (hinted === 'yaml') {
    const fromYaml = recognizeYaml(text);
    if (fromYaml.recognition.kind !== 'not-harbor') return fromYaml;
    // A workflow or playbook that calls Harbor is read through its YAML, parsed now if the config check did not need it.
    return recognizeClient(text, name, hints, () => fromYaml.yaml ?? parseYaml(text)) ?? fromYaml;
  }
  const nginxLike = NGINX_SIGNATURE.test(text);
  if (hinted === 'unknown') {
    const fromYaml = recognizeYaml(text);
    if (fromYaml.recognition.kind !== 'not-harbor') return fromYaml;
  }
  if (nginxLike) return recognizeNginx(text, name, hints.earlierNginx);
  if (hinted === 'nginx' && looksLikeLegacyCfg(text)) return { recognition: { kind: 'harbor-cfg', reason: 'harbor.cfg keys (Harbor 1.x installer)' } };
  return recognizeClient(text, name, hints) ?? { recognition: { kind: 'not-harbor', reason: 'no Harbor configuration found in this file' } };
}

/** Scripts and pipelines that call Harbor; every other file pays one regular-expression test. */
function recognizeClient(text: string, name: string, hints: RecognizeHints, yamlOf?: () => ParsedYaml): Recognized | undefined {
  if (!mightCallHarbor(text, hints.robotNamePrefix)) return undefined;
  const yaml = yamlOf?.();
  const script = buildScriptModel(text, name, yaml, { robotNamePrefix: hints.robotNamePrefix });
  if (!script || !callsHarbor(script, hints.robotNamePrefix)) return undefined;
  const what = script.requests.length > 0 ? "calls Harbor's API" : 'logs in to Harbor with a robot account';
  return { script, yaml, recognition: { kind: 'harbor-client', reason: `${FLAVOUR_NAMES[script.flavour]} that ${what}`, detail: script.flavour } };
}

const FLAVOUR_NAMES: Record<ScriptModel['flavour'], string> = {
  shell: 'shell script',
  makefile: 'Makefile',
  'github-actions': 'GitHub Actions workflow',
  'gitlab-ci': 'GitLab CI pipeline',
  jenkinsfile: 'Jenkinsfile',
  ansible: 'Ansible tasks',
  compose: 'docker-compose file',
  'ci-yaml': 'YAML with shell steps',
  dotenv: '.env file',
  python: 'Python program',
  powershell: 'PowerShell script',
};

const NO_HARBOR_YAML: Recognized = { recognition: { kind: 'not-harbor', reason: 'YAML without Harbor configuration' } };

function recognizeYaml(text: string): Recognized {
  return mayHoldHarborYaml(text) ? recognizeParsedYaml(parseYaml(text), text) : NO_HARBOR_YAML;
}

/** What recognizeYaml finds once the text is parsed (exported for the test that the word check before it loses nothing). */
export function recognizeParsedYaml(yaml: ParsedYaml, text: string): Recognized {
  // A harbor.yml template the parser cannot read (multi-line tags, loops): its literal `key: value` lines are what can be checked.
  if (yaml.errors.length > 0 && /\{[{%#]|\$\{|#@/.test(text)) {
    const lines = parseYaml(literalKeyLines(text));
    if (locateInstallerConfig(lines)) {
      return { yaml: lines, helmValues: [], recognition: { kind: 'harbor-yml', reason: 'harbor.yml keys, read line by line (the template is not valid YAML)' } };
    }
  }
  if (locateInstallerConfig(yaml)) {
    return { yaml, helmValues: [], recognition: { kind: 'harbor-yml', reason: 'harbor.yml keys (installer configuration)' } };
  }
  const values = locateHelmValues(yaml);
  if (values.length > 0) {
    const where = values.map((target) => target.location);
    return {
      yaml,
      helmValues: values,
      recognition: { kind: 'helm-values', reason: 'goharbor/harbor-helm chart values', detail: [...new Set(where)].join(', ') },
    };
  }
  if (rootMaps(yaml).some(isKubernetesTlsSecret)) {
    return { yaml, helmValues: [], recognition: { kind: 'kubernetes-tls-secret', reason: 'Kubernetes TLS Secret (kubernetes.io/tls)' } };
  }
  if (rootMaps(yaml).some((root) => isBitnamiValues(root) && !isGoharborValues(root))) {
    return { yaml, recognition: { kind: 'not-harbor', reason: 'Bitnami Harbor chart values (not checked: its keys differ from goharbor/harbor-helm)', detail: 'bitnami' } };
  }
  return { ...NO_HARBOR_YAML, yaml };
}

/**
 * The text with every line that is not a plain `key: value` or `key:` line (or a
 * `- item` under one) blanked, offsets kept: what is left is the literal part of
 * a template that YAML cannot parse as a whole.
 */
export function literalKeyLines(text: string): string {
  return text
    .split(/(?<=\n)/)
    .map((line) => {
      const body = line.replace(/\r?\n$/, '');
      const match = /^ *(?:- +)?[A-Za-z_][\w.-]*:(?: +(.*))?$/.exec(body);
      const value = (match?.[1] ?? '').replace(/\{\{.*?\}\}/g, 'x').replace(/ +#.*$/, '');
      // Jinja statements, flow collections and open quotes are what broke the parse: those lines go.
      const literal = !!match && !body.includes('{%') && !/^[[{|>]/.test(value) && (value.match(/"/g)?.length ?? 0) % 2 === 0 && !value.includes('{') && !value.includes('}');
      return literal ? line : ' '.repeat(body.length) + line.slice(body.length);
    })
    .join('');
}

function recognizeNginx(text: string, name: string, earlier: RecognizeHints['earlierNginx']): Recognized {
  const nginx = parseNginxAfterEdit(earlier?.file, text, name, earlier?.ends);
  const role = classifyNginx(nginx);
  if (role.role === 'unrelated') return { nginx, recognition: { kind: 'not-harbor', reason: role.reason } };
  return { nginx, recognition: { kind: 'nginx', reason: role.reason, detail: role.role } };
}
