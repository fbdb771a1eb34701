/** Completion and hover of chart values and harbor.yml keys over stdio, at several paths and versions. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TestLspClient } from '../helpers/lspClient';

type Item = { label: string; detail?: string; kind?: number; textEdit?: { newText: string; range: { start: { line: number; character: number } } } };
type Completion = { items: Item[] } | null;
type Hover = { contents: { value: string } } | null;

const VALUES = [
  'externalURL: https://harbor.example.com', // 0
  'expose:', //                                 1
  '  type: ', //                                2  value of expose.type
  '  tls:', //                                  3
  '    enabled: true', //                       4
  '    ', //                                    5  keys under expose.tls
  'core:', //                                   6
  '  replicas: 2', //                           7
  '  podAnnotations:', //                       8
  '    ', //                                    9  free-form: nothing
  '', //                                        10 top level
].join('\n');

describe('key completion and hover over stdio', () => {
  let workspace: string;
  let client: TestLspClient;
  before(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'harbor-audit-keys-'));
    client = new TestLspClient({ workspace, pull: true });
    const init = (await client.initialize()) as { capabilities: { completionProvider?: unknown } };
    assert.ok(init.capabilities.completionProvider, 'the server advertises completion');
  });
  after(async () => {
    await client.shutdown();
    rmSync(workspace, { recursive: true, force: true });
  });

  const complete = (uri: string, line: number, character: number) =>
    client.connection.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line, character } }) as Promise<Completion>;
  const hover = (uri: string, line: number, character: number) =>
    client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line, character } }) as Promise<Hover>;

  it('completes keys under a path, values of an enum, and nothing inside free-form maps (newest chart)', async () => {
    const uri = client.open(join(workspace, 'values.yaml'), VALUES);
    const tls = await complete(uri, 5, 4);
    const labels = tls!.items.map((i) => i.label);
    assert.ok(labels.includes('certSource') && labels.includes('secret') && labels.includes('auto'), labels.join());
    const certSource = tls!.items.find((i) => i.label === 'certSource')!;
    assert.match(certSource.detail!, /default "auto"/);
    assert.equal(certSource.textEdit!.newText, 'certSource: ');
    const types = (await complete(uri, 2, 8))!.items.map((i) => i.label);
    assert.deepEqual(types, ['ingress', 'clusterIP', 'nodePort', 'loadBalancer', 'route']);
    assert.equal(await complete(uri, 9, 4), null);
    const top = (await complete(uri, 10, 0))!.items.map((i) => i.label);
    assert.ok(top.includes('harborAdminPassword') && top.includes('existingSecretAdminPassword') && !top.includes('chartmuseum'), top.join());
  });

  it('uses the version a Flux HelmRelease pins', async () => {
    const text = [
      'apiVersion: helm.toolkit.fluxcd.io/v2',
      'kind: HelmRelease',
      'spec:',
      '  chart:',
      '    spec:',
      '      chart: harbor',
      '      version: 1.4.2',
      '  values:',
      '    externalURL: https://harbor.example.com',
      '    expose:',
      '      type: ',
      '      tls:',
      '        enabled: true',
      '        ', // 13
      '    ', // 14
    ].join('\n');
    const uri = client.open(join(workspace, 'release.yaml'), text);
    const tls = (await complete(uri, 13, 8))!.items.map((i) => i.label);
    assert.ok(tls.includes('secretName') && !tls.includes('certSource'), tls.join());
    const types = (await complete(uri, 10, 12))!.items.map((i) => i.label);
    assert.ok(!types.includes('route'), types.join());
    const top = (await complete(uri, 14, 4))!.items.map((i) => i.label);
    assert.ok(top.includes('chartmuseum') && !top.includes('existingSecretAdminPassword'), top.join());
    const hovered = await hover(uri, 12, 9);
    assert.match(hovered!.contents.value, /expose\.tls\.enabled/);
    assert.match(hovered!.contents.value, /chart 1\.4\.2, keys of 1\.4 \(from the HelmRelease/);
  });

  it('completes harbor.yml keys and prepare\'s log levels for the _version in the file', async () => {
    const text = ['hostname: harbor.example.com', 'harbor_admin_password: x', 'data_volume: /data', '_version: 2.5.0', 'log:', '  level: ', '  ', ''].join('\n');
    const uri = client.open(join(workspace, 'harbor.yml'), text);
    const levels = (await complete(uri, 5, 9))!.items.map((i) => i.label);
    assert.deepEqual(levels, ['debug', 'info', 'warning', 'error', 'fatal']);
    const log = (await complete(uri, 6, 2))!.items.map((i) => i.label);
    assert.ok(log.includes('local') && log.includes('external_endpoint'), log.join());
    const top = (await complete(uri, 7, 0))!.items.map((i) => i.label);
    assert.ok(top.includes('trivy') && !top.includes('ssl_cert'), top.join());
  });

  it('hovers every key with its default and the version, and says when the newest was assumed', async () => {
    const uri = client.open(join(workspace, 'values-hover.yaml'), VALUES);
    const replicas = await hover(uri, 7, 3);
    assert.match(replicas!.contents.value, /core\.replicas/);
    assert.match(replicas!.contents.value, /default `1`/);
    assert.match(replicas!.contents.value, /newest \(1\.\d+\) is assumed/);
  });

  it('reads the chart version from the wrapper chart next to the values file', async () => {
    const dir = mkdtempSync(join(workspace, 'wrapper-'));
    writeFileSync(join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: platform\nversion: 0.1.0\ndependencies:\n  - name: harbor\n    version: 1.13.0\n    repository: https://helm.goharbor.io\n');
    const uri = client.open(join(dir, 'values.yaml'), 'harbor:\n  externalURL: https://harbor.example.com\n  expose:\n    type: ingress\n  notary:\n    enabled: false\n');
    const hovered = await hover(uri, 4, 3);
    assert.match(hovered!.contents.value, /ignores it/);
    assert.match(hovered!.contents.value, /Read by chart ≤ 1\.12/);
    const diagnostics = await client.pull(uri);
    assert.ok(diagnostics.some((d) => d.code === 'unknown-key' && /only read by chart ≤ 1\.12/.test(String(d.message))), JSON.stringify(diagnostics.map((d) => d.message)));
  });

  it('hovers harbor.cfg keys (Harbor 1.x) with their default and the version, never the value', async () => {
    const text = '_version = 1.6.0\nhostname = reg.example.com\nharbor_admin_password = Not-The-Default-9\nclair_db_pasword = typo\n';
    const uri = client.open(join(workspace, 'harbor.cfg'), text);
    const host = await hover(uri, 1, 2);
    assert.match(host!.contents.value, /\*\*`hostname`\*\*/);
    assert.match(host!.contents.value, /keys of 1\.6 \(from _version in this file\)/);
    const password = await hover(uri, 2, 3);
    assert.match(password!.contents.value, /default `"Harbor12345"`/);
    assert.doesNotMatch(password!.contents.value, /Not-The-Default-9/);
    const typo = await hover(uri, 3, 3);
    assert.match(typo!.contents.value, /clair_db_pasword`\*\*: no part of prepare of this version reads it/);
  });
});
