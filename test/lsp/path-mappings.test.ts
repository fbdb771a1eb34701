/** Key and certificate paths named for another host, in the editor: harborAudit.paths, .harbor-audit.yaml paths:, hover. */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { fixturesRoot } from '../helpers/fixtures';
import { TestLspClient } from '../helpers/lspClient';

const certs = join(fixturesRoot, 'tls-key-certificate-mismatch', 'certs');
const HARBOR_YML = readFileSync(join(fixturesRoot, 'tls-key-certificate-mismatch', 'harbor-match_fp.yml'), 'utf8')
  .replace('certs/registry.crt', '/data/cert/server.crt')
  .replace('certs/registry.key', '/data/cert/server.key');
const KEY_LINE = HARBOR_YML.split('\n').findIndex((line) => line.includes('private_key:'));

type Hover = { contents: { value: string } } | null;

describe('paths: in the language server', () => {
  it('reads host paths through harborAudit.paths over .harbor-audit.yaml, and explains unread paths in the hover', async () => {
    const root = mkdtempSync(join(tmpdir(), 'harbor-audit-lsp-paths-'));
    for (const [folder, key] of [['good', 'registry.key'], ['renewed', 'old-registry.key']]) {
      mkdirSync(join(root, folder));
      copyFileSync(join(certs, 'registry.crt'), join(root, folder, 'server.crt'));
      copyFileSync(join(certs, key), join(root, folder, 'server.key'));
    }
    writeFileSync(join(root, '.harbor-audit.yaml'), 'paths:\n  /data/cert: ./good\n');
    const client = new TestLspClient({ workspace: root, pull: true, configuration: {} });
    try {
      await client.initialize();
      const uri = client.open(join(root, 'harbor.yml'), HARBOR_YML);
      assert.deepEqual(await client.pull(uri), [], '.harbor-audit.yaml maps /data/cert to the good pair');
      const hover = (await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: KEY_LINE, character: 20 } })) as Hover;
      assert.match(hover!.contents.value, /read from `.*\/good\/server\.key` \(through `paths:`\)/);

      client.configuration = { paths: { '/data/cert': 'renewed' } };
      await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
      const diagnostics = await client.pull(uri);
      assert.deepEqual(diagnostics.map((d) => d.code), ['tls-key-certificate-mismatch'], 'the editor setting wins');
      const related = diagnostics[0].relatedInformation ?? [];
      assert.ok(related.some((r) => r.location.uri.endsWith('/renewed/server.key') && /mapped with `paths:`/.test(r.message)), JSON.stringify(related));

      client.configuration = { paths: { '/data/cert': 'nowhere' } };
      await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
      assert.deepEqual(await client.pull(uri), [], 'a path that cannot be read is not a diagnostic');
      const unread = (await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: KEY_LINE, character: 20 } })) as Hover;
      assert.match(unread!.contents.value, /could not be read here: .*nowhere\/server\.key \(from `paths:`\) does not exist/);
      assert.match(unread!.contents.value, /`\/data\/cert: \.\/cert`/);
    } finally {
      await client.shutdown();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('checks the document again when a key read through paths: changes on disk', async () => {
    const root = mkdtempSync(join(tmpdir(), 'harbor-audit-lsp-paths-dep-'));
    mkdirSync(join(root, 'certs'));
    copyFileSync(join(certs, 'registry.crt'), join(root, 'certs', 'server.crt'));
    copyFileSync(join(certs, 'registry.key'), join(root, 'certs', 'server.key'));
    writeFileSync(join(root, '.harbor-audit.yaml'), 'paths:\n  /data/cert: ./certs\n');
    const client = new TestLspClient({ workspace: root, pull: true, configuration: {} });
    try {
      await client.initialize();
      const uri = client.open(join(root, 'harbor.yml'), HARBOR_YML);
      assert.deepEqual(await client.pull(uri), [], 'the mapped pair matches');
      // The key is renewed on disk: the editor reports the file change, not a document edit.
      const key = join(root, 'certs', 'server.key');
      copyFileSync(join(certs, 'old-registry.key'), key);
      await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(key).toString(), type: 2 }] });
      assert.deepEqual((await client.pull(uri)).map((d) => d.code), ['tls-key-certificate-mismatch']);
    } finally {
      await client.shutdown();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
