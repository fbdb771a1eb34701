/** Recognition by content: names are only hints. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { recognize, recognizeParsedYaml } from '../../server/src/core/recognize';
import { mayHoldHarborYaml } from '../../server/src/core/yaml/harborYaml';
import { parseYaml } from '../../server/src/core/yaml/yamlModel';
import { filesUnder, fixturesRoot, repoRoot, sharedRoot } from '../helpers/fixtures';

const kind = (text: string, name: string) => {
  const { recognition } = recognize(text, name);
  return recognition.detail ? `${recognition.kind}:${recognition.detail}` : recognition.kind;
};

describe('recognise files by content', () => {
  const cases: [string, string, string, string][] = [
    ['goharbor values', 'values.yaml', 'expose:\n  type: ingress\nexternalURL: https://h\n', 'helm-values:plain'],
    ['values in an extension-less file', 'group_vars/harbor', 'externalURL: https://h\nharborAdminPassword: x\n', 'helm-values:plain'],
    ['values with CRLF and a BOM-free UTF-16 decode', 'v.yaml', 'expose:\r\n  type: ingress\r\nexternalURL: https://h\r\n', 'helm-values:plain'],
    ['wrapper chart values', 'values.yaml', 'harbor:\n  expose:\n    type: ingress\n  externalURL: https://h\n', 'helm-values:wrapper'],
    ['Flux HelmRelease', 'release.yaml', 'kind: HelmRelease\nspec:\n  chart:\n    spec:\n      chart: harbor\n  values:\n    externalURL: https://h\n', 'helm-values:flux'],
    ['Argo valuesObject', 'app.yaml', 'kind: Application\nspec:\n  source:\n    chart: harbor\n    helm:\n      valuesObject:\n        externalURL: https://h\n', 'helm-values:argo'],
    ['values as the second document', 'multi.yaml', 'kind: Namespace\n---\nexpose:\n  type: ingress\nexternalURL: https://h\n', 'helm-values:plain'],
    ['values in a ConfigMap (Flux valuesFrom)', 'cm.yaml', 'apiVersion: v1\nkind: ConfigMap\ndata:\n  values.yaml: |\n    expose:\n      type: ingress\n    externalURL: https://h\n', 'helm-values:configmap'],
    ['values in a Secret stringData', 's.yaml', 'apiVersion: v1\nkind: Secret\nstringData:\n  harbor-values.yaml: |\n    expose:\n      type: ingress\n    externalURL: https://h\n', 'helm-values:configmap'],
    ['another chart in a ConfigMap', 'cm.yaml', 'apiVersion: v1\nkind: ConfigMap\ndata:\n  values.yaml: |\n    image:\n      tag: x\n', 'not-harbor'],
    ['Carvel harbor package data values', 'harbor-data-values.yaml', '#@data/values\n---\nhostname: h\nharborAdminPassword: x\nsecretKey: y\ntlsCertificate:\n  tls.crt: ""\n', 'helm-values:carvel'],
    ['a vendored copy of the chart', 'wrapper/charts/harbor/values.yaml', 'expose:\n  type: ingress\nexternalURL: https://h\nharborAdminPassword: Harbor12345\n', 'not-harbor'],
    ['a harbor.yml template YAML cannot read', 'harbor.yml.j2', 'hostname: h\n{%- for x in y\n   %}\n  - [{{ x }\n{% endfor %}\nharbor_admin_password: x\ndata_volume: /data\n', 'harbor-yml'],
    ['Bitnami values', 'values.yaml', 'adminPassword: x\nexposureType: ingress\nexternalURL: https://h\n', 'not-harbor:bitnami'],
    ['installer harbor.yml', 'harbor.yml', 'hostname: reg.example.com\nharbor_admin_password: x\ndata_volume: /data\n', 'harbor-yml'],
    ['installer config with another name', 'config/prod.yaml.j2', 'hostname: {{ host }}\nharbor_admin_password: {{ pw }}\n_version: 2.10.0\n', 'harbor-yml'],
    ['an Ansible playbook called harbor.yml', 'harbor.yml', '- hosts: all\n  roles:\n    - harbor\n', 'not-harbor'],
    ['a Kubernetes TLS Secret', 'harbor-tls.yaml', 'apiVersion: v1\nkind: Secret\ntype: kubernetes.io/tls\ndata:\n  tls.crt: eA==\n  tls.key: eQ==\n', 'kubernetes-tls-secret'],
    ['an Opaque Secret', 'secret.yaml', 'apiVersion: v1\nkind: Secret\ntype: Opaque\ndata:\n  password: eA==\n', 'not-harbor'],
    ['a Kubernetes manifest', 'deploy.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: harbor\n', 'not-harbor'],
    ['harbor.cfg', 'harbor.cfg', 'hostname = reg\nui_url_protocol = https\nharbor_admin_password = x\n', 'harbor-cfg'],
    ['a shell env file called harbor.conf', 'harbor.conf', 'HARBOR_HOST=reg\nexport HARBOR_HOST\n', 'not-harbor'],
    ['front proxy nginx', 'site.conf', 'server {\n listen 443;\n server_name harbor.example.com;\n location / { proxy_pass http://10.0.0.1; }\n}\n', 'nginx:front'],
    ['front proxy routing Harbor paths', 'default', 'server {\n listen 80;\n location /v2/ { proxy_pass http://10.0.0.1; }\n location /service/ { proxy_pass http://10.0.0.1; }\n}\n', 'nginx:front'],
    ["Harbor's own nginx.conf", 'nginx.conf', 'http {\n upstream core { server core:8080; }\n upstream portal { server portal:8080; }\n server { location /service/notifications { return 404; } }\n}\n', 'nginx:internal'],
    ['an unrelated nginx', 'nginx.conf', 'server {\n listen 80;\n location / { proxy_pass http://app:3000; }\n}\n', 'not-harbor'],
    ['plain text', 'README', 'Harbor is a registry.\n', 'not-harbor'],
  ];
  for (const [label, name, text, expected] of cases) {
    it(label, () => assert.equal(kind(text, name), expected));
  }
});

describe('YAML without any Harbor word is not parsed', () => {
  // Every YAML the suite and ../shared hold (fixtures, examples, real-world configs, the chart's and the
  // installer's files of every release), plus the cases above: where the word check says "no Harbor YAML
  // here", reading the parsed YAML must agree, or a Harbor file would go unchecked.
  const roots = [fixturesRoot, join(repoRoot, 'examples'), join(sharedRoot, 'corpus'), join(sharedRoot, 'upstream')].filter((root) => existsSync(root));
  const texts = roots.flatMap((root) => filesUnder(root, (path) => /\.ya?ml(\.\w+)?$|values[^/]*$/i.test(path)).map((path) => ({ path, text: readFileSync(path, 'utf8') })));

  it('loses no Harbor YAML', () => {
    let skipped = 0;
    for (const { path, text } of texts) {
      const full = recognizeParsedYaml(parseYaml(text), text).recognition;
      if (mayHoldHarborYaml(text)) continue;
      skipped++;
      assert.deepEqual({ path, kind: full.kind, reason: full.reason, detail: full.detail }, { path, kind: 'not-harbor', reason: 'YAML without Harbor configuration', detail: undefined });
    }
    // Not vacuous: the suite's own non-Harbor YAML (workflows, manifests, compose files) is passed over.
    assert.ok(skipped >= 10, `only ${skipped} of ${texts.length} YAML files were passed over`);
  });

  it('parses a text whose keys may spell a word with escapes', () => {
    const values = '"e\\x78pose":\n  type: ingress\n"external\\x55RL": https://reg.example.com\n"s\\u0065cretKey": "not-a-secure-key"\n';
    assert.equal(kind(values, 'values.yaml'), 'helm-values:plain');
    assert.equal(kind('"hostn\\x61me": reg.example.com\nhttp:\n  port: 80\ndata_volume: /data\n', 'harbor.yml'), 'harbor-yml');
  });

  it('still reads a workflow that calls Harbor through its YAML', () => {
    // The rule's own workflow fixture, with no word of a Harbor config left in it.
    const workflow = readFileSync(join(fixturesRoot, 'robot-api-bearer-auth', 'workflow.yml'), 'utf8').replace(/harbor/gi, 'registry');
    assert.equal(mayHoldHarborYaml(workflow), false);
    assert.equal(kind(workflow, '.github/workflows/prune.yml'), 'harbor-client:github-actions');
  });
});
