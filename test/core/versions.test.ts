import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isMap, isScalar, parseDocument, type Node } from 'yaml';
import { analyzeText } from '../../server/src/core/languageService';
import { editDistance, suggestKey } from '../../server/src/core/keys/suggest';
import type { FileAccess } from '../../server/src/core/types';
import { chartKeys, describeVersionSpan, detectChartVersion, detectInstallerVersion, installerKeys, resolveVersion } from '../../server/src/core/versions';
import { sharedRoot } from '../helpers/fixtures';

/** A FileAccess holding a few files in memory. */
function memoryFiles(files: Record<string, string>): FileAccess {
  return {
    async readFile(path) {
      const text = files[path];
      return text === undefined ? { ok: false, path, problem: 'missing', message: 'missing' } : { ok: true, path, bytes: new TextEncoder().encode(text) };
    },
    async glob() {
      return [];
    },
  };
}

describe('version resolution', () => {
  const charts = chartKeys().versions;
  const cases: [string, string | undefined][] = [
    ['1.13.0', '1.13.5'],
    ['v1.13.2', '1.13.5'],
    ['~1.10.0', '1.10.4'],
    ['1.9.x', '1.9.6'],
    ['>=1.10.0 <1.12.0', '1.11.4'],
    ['^1.12.0', charts[charts.length - 1]],
    ['1.x', charts[charts.length - 1]],
    ['*', charts[charts.length - 1]],
    ['<1.1.0', '1.0.1'],
    ['main', undefined],
    ['9.0.0', undefined],
  ];
  for (const [written, expected] of cases) {
    it(`${written} → ${expected}`, () => assert.equal(resolveVersion(charts, written), expected));
  }
});

describe('chart version detection', () => {
  const files = memoryFiles({
    '/w/Chart.yaml': 'apiVersion: v2\nname: platform-harbor\nversion: 0.1.0\ndependencies:\n  - name: harbor\n    version: 1.10.2\n    repository: https://helm.goharbor.io\n',
    '/l/Chart.yaml': 'apiVersion: v2\nname: x\ndependencies:\n  - name: harbor\n    version: ^1.10.0\n    repository: https://helm.goharbor.io\n',
    '/l/Chart.lock': 'dependencies:\n  - name: harbor\n    repository: https://helm.goharbor.io\n    version: 1.11.1\n',
    '/b/Chart.yaml': 'apiVersion: v2\nname: x\ndependencies:\n  - name: harbor\n    version: 16.0.0\n    repository: oci://registry-1.docker.io/bitnamicharts\n',
  });
  it('reads the wrapper chart dependency next to the values file', async () => {
    const version = await detectChartVersion({ text: 'harbor: {}', path: '/w/values.yaml', files });
    assert.deepEqual([version.model, version.source, version.known], ['1.10.4', 'chart-yaml', true]);
  });
  it('prefers Chart.lock, which pins what the range resolved to', async () => {
    const version = await detectChartVersion({ text: '', path: '/l/values.yaml', files });
    assert.deepEqual([version.model, version.source], ['1.11.4', 'chart-lock']);
  });
  it('ignores a Bitnami harbor dependency', async () => {
    assert.equal((await detectChartVersion({ text: '', path: '/b/values.yaml', files })).known, false);
  });
  it('takes the file pin, then a comment, then the settings, else the newest', async () => {
    const base = { files, path: '/nowhere/values.yaml' };
    assert.equal((await detectChartVersion({ ...base, text: '', pinned: '1.4.0', pinnedBy: 'flux' })).source, 'helmrelease');
    assert.equal((await detectChartVersion({ ...base, text: '# harbor chart version: 1.8.1\n' })).model, '1.8.3');
    assert.equal((await detectChartVersion({ ...base, text: '', settings: { rules: {}, ignore: [], chartVersion: '1.16.0' } })).model, '1.16.4');
    assert.equal((await detectChartVersion({ ...base, text: '', settings: { rules: {}, ignore: [], harborVersion: '2.9.0' } })).model, '1.13.5');
    const newest = await detectChartVersion({ ...base, text: 'externalURL: x' });
    assert.deepEqual([newest.known, newest.model], [false, chartKeys().newest]);
  });
  it('reads the installer _version, else the newest', () => {
    assert.equal(detectInstallerVersion({ declared: '2.5.0', text: '' }).model, '2.5.6');
    assert.equal(detectInstallerVersion({ text: '' }).known, false);
  });
  it('puts the version in the recognition and gives version-dependent rules the wrapper version', async () => {
    const text = 'harbor:\n  externalURL: https://harbor.example.com\n  expose:\n    type: ingress\n';
    const analysis = await analyzeText({ uri: 'values.yaml', path: '/w/values.yaml', text }, { files });
    assert.match(analysis.recognition.reason, /chart 1\.10\.2, keys of 1\.10 \(from the harbor dependency in Chart\.yaml/);
    // Chart 1.10 signs tokens with the key built into the chart (HB-LEGACY-TOKEN-KEY), known only from Chart.yaml.
    assert.ok(analysis.findings.some((f) => f.ruleId === 'legacy-token-key'), analysis.findings.map((f) => f.ruleId).join());
    const unversioned = await analyzeText({ uri: 'values.yaml', path: '/nowhere/values.yaml', text }, { files });
    assert.match(unversioned.recognition.reason, /newest \(1\.\d+\) is assumed/);
    assert.ok(!unversioned.findings.some((f) => f.ruleId === 'legacy-token-key'));
  });
});

describe('key suggestions', () => {
  it('measures edits with transpositions', () => {
    assert.equal(editDistance('replica', 'replicas'), 1);
    assert.equal(editDistance('extrenal', 'external'), 1);
    assert.equal(editDistance('abc', 'xyz', 1), 2);
  });
  it('finds case slips, typos and moved keys', () => {
    const keys = chartKeys().keys(chartKeys().newest);
    assert.equal(suggestKey(keys, ['expose', 'tls', 'certsource'])?.sibling, 'certSource');
    assert.equal(suggestKey(keys, ['core', 'replica'])?.sibling, 'replicas');
    assert.equal(suggestKey(keys, ['tokenKey'])?.path, 'core.tokenKey');
    assert.equal(suggestKey(keys, ['expose', 'tls', 'commonName'])?.path, 'expose.tls.auto.commonName');
    assert.equal(suggestKey(keys, ['core', 'zzzzzzzzzz']), undefined);
  });
  it('says which versions read a key', () => {
    assert.equal(describeVersionSpan('chart', chartKeys().versionsWith('existingSecretAdminPassword')), 'chart ≥ 1.12');
    assert.equal(describeVersionSpan('chart', chartKeys().versionsWith('chartmuseum')), 'chart ≤ 1.11');
    assert.equal(describeVersionSpan('installer', installerKeys().versionsWith('clair')), 'Harbor 1.8–2.1');
  });
});

// The generated model against the upstream files it came from (skipped without ../shared).
const upstream = join(sharedRoot, 'upstream');
describe('the key model knows every key of every upstream release', { skip: !existsSync(upstream) && 'no ../shared/upstream' }, () => {
  function valuesPaths(node: Node | null, prefix: string[], out: string[]): void {
    if (!node || !isMap(node)) return;
    for (const pair of node.items) {
      const key = pair.key as Node;
      if (!isScalar(key)) continue;
      const path = [...prefix, String(key.value)];
      out.push(path.join('.'));
      valuesPaths(pair.value as Node, path, out);
    }
  }
  const dirs = existsSync(upstream) ? readdirSync(join(upstream, 'harbor-helm')).filter((d) => /^v\d/.test(d)) : [];
  for (const dir of dirs) {
    it(`chart ${dir}: values.yaml`, () => {
      const keys = chartKeys().keys(dir.slice(1));
      const paths: string[] = [];
      valuesPaths(parseDocument(readFileSync(join(upstream, 'harbor-helm', dir, 'values.yaml'), 'utf8')).contents as Node, [], paths);
      const unknown = paths.filter((path) => !keys.known(path) && !keys.openAncestor(path.split('.')));
      assert.deepEqual(unknown, []);
      assert.ok(paths.length > 100);
    });
  }
  const installers = existsSync(upstream) ? readdirSync(join(upstream, 'harbor')).filter((d) => /^v\d/.test(d)) : [];
  for (const dir of installers) {
    it(`installer ${dir}: harbor.yml / harbor.cfg`, () => {
      const keys = installerKeys().keys(dir.slice(1));
      const make = join(upstream, 'harbor', dir, 'make');
      const yml = ['harbor.yml.tmpl', 'harbor.yml'].map((name) => join(make, name)).find(existsSync);
      const paths: string[] = [];
      if (yml) valuesPaths(parseDocument(readFileSync(yml, 'utf8')).contents as Node, [], paths);
      else for (const match of readFileSync(join(make, 'harbor.cfg'), 'utf8').matchAll(/^([a-z_]+)\s*=/gm)) paths.push(match[1]);
      const unknown = paths.filter((path) => !keys.known(path) && !keys.openAncestor(path.split('.')));
      assert.deepEqual(unknown, []);
      assert.ok(paths.length > 10);
    });
  }
});
